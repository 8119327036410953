using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Serving.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// docker-compose.yml as docker-compose itself parses and resolves it (`docker-compose config`): a valid file, every
/// service non-root, serving given time to drain and a health check, secrets only ever as files, Redis durable and
/// password-protected. tests/run.sh installs docker-compose; without it these fail.
/// </summary>
public sealed partial class ComposeConfigTests
{
    // After its drain, a process takes up to ~15 s to leave the cluster.
    static readonly TimeSpan LeaveCluster = TimeSpan.FromSeconds(15);
    static readonly string Root = RepositoryRoot.Find();
    static readonly Lazy<ComposeConfig> Default = new(() => ComposeConfig.Load(Root));

    [Fact]
    public void ComposeFile_IsValid()
    {
        var result = DockerCompose.Run(Root, null, "-f", "docker-compose.yml", "config", "-q");

        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Fact]
    public void ComposeFile_WithAnUnknownKey_IsRejected()
    {
        // The check above can fail: the same file with one misspelt key is refused, naming the key.
        var folder = Directory.CreateTempSubdirectory("compose-").FullName;
        try
        {
            var text = File.ReadAllText(Path.Combine(Root, "docker-compose.yml"));
            Assert.Contains("stop_grace_period:", text);
            File.WriteAllText(Path.Combine(folder, "docker-compose.yml"), text.Replace("stop_grace_period:", "stop_grace_perod:", StringComparison.Ordinal));

            var result = DockerCompose.Run(folder, null, "-f", "docker-compose.yml", "config", "-q");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("stop_grace_perod", result.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Services_RunAsNonRootUsers()
    {
        var config = Default.Value;

        foreach (var service in config.Services.Values)
        {
            var user = service.User ?? (BuildsTheImage(service) ? ImageUser() : null) ?? "";
            Assert.True(user.Length > 0, $"{service.Name} runs as its image's default user, root for most images: give it `user:`");
            var uid = user.Split(':')[0];
            Assert.True(uint.TryParse(uid, CultureInfo.InvariantCulture, out var id) && id != 0, $"{service.Name} runs as '{user}': want a numeric uid other than 0");
        }
    }

    [Fact]
    public void ServingServices_AreGivenTheirDrainAndTheClusterLeaveBeforeTheKill()
    {
        var drainDefault = ServeDefault<double>("--drain-timeout-s");

        foreach (var service in ServingServices())
        {
            var drain = service.Environment.TryGetValue("SERVING_DRAIN_TIMEOUT_S", out var value) && value.Length > 0
                ? double.Parse(value, CultureInfo.InvariantCulture)
                : drainDefault;
            var grace = service.StopGracePeriod ?? TimeSpan.FromSeconds(10); // docker's default
            Assert.True(grace >= TimeSpan.FromSeconds(drain) + LeaveCluster, $"{service.Name}: stop_grace_period {grace.TotalSeconds} s < drain {drain} s + {LeaveCluster.TotalSeconds} s");
        }
    }

    [Fact]
    public void ServingServicesAndRedis_HaveHealthChecks()
    {
        var config = Default.Value;

        foreach (var service in ServingServices().Append(config.Services["redis"]))
        {
            if (service.Healthcheck is { } check)
                Assert.False(check.Children.ContainsKey(new YamlScalarNode("disable")), $"{service.Name} turns its health check off");
            else
                Assert.True(BuildsTheImage(service) && DockerfileModel.Load(DockerfilePath).Final.All("HEALTHCHECK").Any(), $"{service.Name} has no health check");
        }
    }

    [Fact]
    public void ServingServices_StartAfterRedisIsHealthyAndItsPasswordExists()
    {
        var config = Default.Value;
        var generator = PasswordGenerator(config);

        foreach (var service in ServingServices())
        {
            Assert.Equal("service_healthy", service.DependsOn.GetValueOrDefault("redis"));
            Assert.Equal("service_completed_successfully", service.DependsOn.GetValueOrDefault(generator.Name));
        }
        Assert.Equal("service_completed_successfully", config.Services["redis"].DependsOn.GetValueOrDefault(generator.Name));
    }

    [Fact]
    public void ServingServices_RunOverMutualTls_WithTheCertificatesTheCertsServiceWritesOnce()
    {
        var config = Default.Value;
        var certs = config.Services["certs"];
        var written = Assert.Single(certs.Volumes, v => v.Target == "/home/app/tls");
        // `serving certs` into the volume, only when it holds no key yet: a restart keeps the cluster's CA.
        var script = string.Join(" ", certs.Command);
        Assert.Contains("serving.dll certs --out /home/app/tls", script, StringComparison.Ordinal);
        Assert.Contains("if [ ! -s /home/app/tls/tls.key ]", script, StringComparison.Ordinal);
        Assert.True(BuildsTheImage(certs), "certs runs the serving image's own `serving certs`");

        foreach (var service in ServingServices())
        {
            Assert.Equal("/home/app/tls", service.Environment.GetValueOrDefault("SERVING_TLS_DIR"));
            Assert.False(service.Environment.ContainsKey("SERVING_INSECURE"), $"{service.Name} runs without TLS");
            Assert.Equal("service_completed_successfully", service.DependsOn.GetValueOrDefault("certs"));
            var mount = Assert.Single(service.Volumes, v => v.Target == "/home/app/tls");
            Assert.Equal(written.Source, mount.Source);
            Assert.True(mount.ReadOnly, $"{service.Name} mounts the certificates writable");
        }
    }

    [Fact]
    public void Secrets_NeverAppearInTheEnvironmentOrOnACommandLine()
    {
        const string key = "sk-compose-test-7f3a";
        var keys = Path.GetTempFileName();
        File.WriteAllText(keys, key + "\n");
        try
        {
            foreach (var config in new[] { Default.Value, ComposeConfig.Load(Root, new Dictionary<string, string> { ["SERVING_API_KEY_FILE"] = keys }) })
            {
                Assert.DoesNotContain(key, config.Text, StringComparison.Ordinal);
                foreach (var service in config.Services.Values)
                {
                    foreach (var (name, _) in service.Environment.Where(e => SecretName().IsMatch(e.Key)))
                        Assert.True(name.EndsWith("_FILE", StringComparison.Ordinal), $"{service.Name} passes {name} as a value: pass a file (…_FILE)");
                    var line = string.Join(' ', service.Entrypoint.Concat(service.Command));
                    Assert.DoesNotMatch(SecretOption(), line);
                    if (service.Healthcheck?.Children.TryGetValue(new YamlScalarNode("test"), out var test) == true)
                        Assert.DoesNotMatch(SecretOption(), string.Join(' ', test.AllNodes.OfType<YamlScalarNode>().Select(n => n.Value)));
                }
            }
        }
        finally
        {
            File.Delete(keys);
        }
    }

    [Fact]
    public void ApiKeys_ByDefault_AreOffAndNeedNoFile()
    {
        var config = Default.Value;
        var gateway = config.Services["gateway"];

        // The secret's placeholder exists (compose mounts it) and is empty.
        var (secret, _) = Assert.Single(gateway.Secrets);
        var placeholder = config.Secrets[secret];
        Assert.True(File.Exists(placeholder), $"{placeholder} is missing: `docker compose up` would fail");
        Assert.Equal(0, new FileInfo(placeholder).Length);
        var arguments = ServingArguments(gateway);
        Assert.DoesNotContain(arguments, a => a.StartsWith("--api-key", StringComparison.Ordinal));
        Assert.DoesNotContain(gateway.Environment, e => e.Key.StartsWith("SERVING_API_KEY", StringComparison.Ordinal) && e.Value.Length > 0);
    }

    [Fact]
    public void ApiKeys_WhenAKeysFileIsGiven_ReachTheGatewayAsThatFile()
    {
        var keys = Path.GetTempFileName();
        try
        {
            var config = ComposeConfig.Load(Root, new Dictionary<string, string> { ["SERVING_API_KEY_FILE"] = keys });
            var gateway = config.Services["gateway"];

            var (secret, target) = Assert.Single(gateway.Secrets);
            Assert.Equal(keys, config.Secrets[secret]);
            var arguments = ServingArguments(gateway);
            var at = arguments.IndexOf("--api-key-file");
            Assert.True(at >= 0, $"the gateway starts without --api-key-file: {string.Join(' ', arguments)}");
            Assert.Equal(target, arguments[at + 1]);
            Assert.DoesNotContain("--api-key", arguments);
            Assert.All(ServingServices(config).Where(s => s.Name != "gateway"), s => Assert.Empty(s.Secrets));
        }
        finally
        {
            File.Delete(keys);
        }
    }

    [Fact]
    public void Redis_KeepsTheMembershipTableInAnAppendOnlyFileOnAVolume()
    {
        var config = Default.Value;
        var redis = config.Services["redis"];
        var script = Unescape(string.Join(' ', redis.Command.Concat(redis.Entrypoint)));

        // The last --appendonly wins in redis-server's arguments.
        Assert.Equal("yes", AppendOnly().Matches(script).Last().Groups[1].Value);
        Assert.DoesNotMatch(@"--appendfsync\s+no\b", script);
        var dir = AppendOnlyDir().Match(script) is { Success: true } m ? m.Groups[1].Value : "/data";
        var volume = Assert.Single(redis.Volumes, v => v.Target == dir);
        Assert.Contains(volume.Source, config.Volumes);
        Assert.False(volume.ReadOnly);
        // 7.2, the last BSD-licensed Redis line (7.4 and later are RSALv2/SSPL).
        Assert.Matches(@"^redis:7\.2(\.\d+)?-", redis.Image);
    }

    [Fact]
    public void Redis_RequiresThePasswordEveryServingProcessReadsFromTheSameFile()
    {
        var config = Default.Value;
        var redis = config.Services["redis"];
        var generator = PasswordGenerator(config);
        var script = Unescape(string.Join('\n', redis.Command.Concat(redis.Entrypoint)));

        // requirepass <the file's content> goes into a config file, and redis-server starts from that file.
        var requirement = RequirePass().Match(script);
        Assert.True(requirement.Success, $"Redis does not set requirepass from a file:{Environment.NewLine}{script}");
        var (passwordFile, redisConf) = (requirement.Groups[1].Value, requirement.Groups[2].Value);
        Assert.Matches($@"exec\s+redis-server\s+{Regex.Escape(redisConf)}(\s|$)", script);
        var volume = redis.MountHolding(passwordFile)!;
        Assert.True(volume is not null && config.Volumes.Contains(volume.Source), $"{passwordFile} is not on a named volume in redis");

        // The one-shot service writes that volume; every serving process reads the same file from it.
        Assert.Contains(generator.Volumes, v => v.Source == volume.Source && !v.ReadOnly);
        foreach (var service in ServingServices())
        {
            var file = service.Environment.GetValueOrDefault("SERVING_REDIS_PASSWORD_FILE") ?? "";
            Assert.True(file.Length > 0, $"{service.Name} has no SERVING_REDIS_PASSWORD_FILE");
            var mount = service.MountHolding(file);
            Assert.True(mount is not null && mount.Source == volume.Source && mount.ReadOnly, $"{service.Name}: {file} is not on the {volume.Source} volume, read-only");
            Assert.Equal(file[mount.Target.TrimEnd('/').Length..], passwordFile[volume.Target.TrimEnd('/').Length..]);
        }
    }

    static ComposeService PasswordGenerator(ComposeConfig config) =>
        Assert.Single(config.Services.Values, s => s.Build is null && s.Name != "redis" && config.Services["redis"].DependsOn.GetValueOrDefault(s.Name) == "service_completed_successfully");

    static IEnumerable<ComposeService> ServingServices(ComposeConfig? config = null)
    {
        var services = (config ?? Default.Value).ServingServices.ToList();
        Assert.Equal(["decode", "gateway", "prefill"], services.Select(s => s.Name).Order(StringComparer.Ordinal));
        return services;
    }

    /// <summary>
    /// The arguments `serving` gets from the service's entrypoint: its `sh -c` script run here with the service's
    /// environment and a `dotnet` that prints its arguments.
    /// </summary>
    static List<string> ServingArguments(ComposeService service)
    {
        Assert.Equal("sh", service.Entrypoint[0]);
        Assert.Equal("-c", service.Entrypoint[1]);
        var bin = Directory.CreateTempSubdirectory("fake-dotnet-").FullName;
        try
        {
            var dotnet = Path.Combine(bin, "dotnet");
            File.WriteAllText(dotnet, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Unescape(service.Entrypoint[2]));
            foreach (var (name, value) in service.Environment)
                start.Environment[name] = value;
            start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
            var arguments = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            Assert.Equal(["serving.dll", "--advertise"], arguments.Take(2));
            return arguments.Skip(1).ToList();
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    static string DockerfilePath => Path.Combine(Root, "deploy", "docker", "Dockerfile");

    // Built from deploy/docker/Dockerfile (compose resolves the context to a full path; the Dockerfile is relative to it).
    static bool BuildsTheImage(ComposeService service) =>
        service.Build is { } build
        && build.Children.TryGetValue(new YamlScalarNode("context"), out var context)
        && build.Children.TryGetValue(new YamlScalarNode("dockerfile"), out var file)
        && Path.GetFullPath(file.ToString(), Path.GetFullPath(context.ToString(), Root)) == DockerfilePath;

    static string? ImageUser() => DockerfileModel.Load(DockerfilePath).Final.All("USER").LastOrDefault()?.Arguments;

    static T ServeDefault<T>(string option)
    {
        var root = new RootCommand();
        ServeCommand.Configure(root);
        return root.Parse([]).GetValue<T>(option)!;
    }

    // docker-compose config writes a literal '$' as "$$".
    static string Unescape(string text) => text.Replace("$$", "$", StringComparison.Ordinal);

    [GeneratedRegex(@"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIAL", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    // A secret passed as a value: --api-key K, --requirepass P, redis-cli -a P / --pass P / --user U --pass P.
    [GeneratedRegex(@"--api-key(?![-\w])|--requirepass|--pass\b|--password\b|(?:^|\s)-a\s")]
    private static partial Regex SecretOption();

    [GeneratedRegex(@"--appendonly\s+['""]?(\w+)")]
    private static partial Regex AppendOnly();

    [GeneratedRegex(@"--dir\s+(\S+)")]
    private static partial Regex AppendOnlyDir();

    // printf 'requirepass %s\n' "$(cat FILE)" > CONF
    [GeneratedRegex(@"requirepass[^\n]*\$\(cat\s+([^)\s]+)\)[^\n]*>\s*(\S+)")]
    private static partial Regex RequirePass();
}
