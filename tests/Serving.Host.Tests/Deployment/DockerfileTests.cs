using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serving.Tests.Shared;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// deploy/docker/Dockerfile and .dockerignore, read statically (this machine cannot build images): the runtime image
/// fits the built app, bases are pinned, the image runs as a numeric non-root user with a health check, exposes the
/// roles' ports, and the build gets every file Serving.Host needs at the path it expects.
/// </summary>
public sealed partial class DockerfileTests
{
    const string Host = "services/Serving.Host/Serving.Host.csproj";
    static readonly string Root = RepositoryRoot.Find();
    static readonly DockerfileModel Dockerfile = DockerfileModel.Load(Path.Combine(Root, "deploy", "docker", "Dockerfile"));
    static readonly DockerIgnore Ignore = DockerIgnore.Load(Path.Combine(Root, ".dockerignore"));

    [Fact]
    public void RuntimeImage_IsTheOneTheBuiltRuntimeConfigAsksFor()
    {
        var frameworks = BuiltFrameworks();

        // An ASP.NET Core app starts only where the aspnet shared framework is installed.
        var image = frameworks.ContainsKey("Microsoft.AspNetCore.App") ? "mcr.microsoft.com/dotnet/aspnet" : "mcr.microsoft.com/dotnet/runtime";
        Assert.Equal(image, Dockerfile.Final.Repository);
        var version = Version.Parse(frameworks["Microsoft.NETCore.App"]);
        Assert.StartsWith($"{version.Major}.{version.Minor}-", Dockerfile.Final.Tag, StringComparison.Ordinal);
    }

    [Fact]
    public void BaseImages_ArePinnedByDigestWithTheirTag()
    {
        var names = Dockerfile.Stages.Select(s => s.Name).OfType<string>().ToHashSet();

        foreach (var stage in Dockerfile.Stages.Where(s => !names.Contains(s.From)))
            Assert.Matches(PinnedImage(), stage.From);
    }

    [Fact]
    public void BuildAndRuntimeImages_ShareAnUbuntuRelease()
    {
        // The build's libstdc++ check (build/LibTorchSharpCompat.targets) must see the runtime's libstdc++.
        var releases = Dockerfile.Stages.Where(s => s.Tag.Length > 0).Select(s => s.Tag[(s.Tag.LastIndexOf('-') + 1)..]).Distinct().ToList();

        Assert.Single(releases);
    }

    [Fact]
    public void Image_RunsAsANumericNonRootUser()
    {
        var (uid, gid) = ImageUser();

        Assert.NotEqual(0, uid);
        Assert.NotEqual(0, gid);
    }

    [Fact]
    public void Image_GivesItsUserOnlyTheFoldersItWrites()
    {
        var (uid, gid) = ImageUser();
        var env = ImageEnv();
        var home = env["HOME"];
        string[] writable = [env["SERVING_MODEL_DIR"], $"{home}/.cache/serving/profiles"];
        var runs = string.Join(" && ", Dockerfile.Final.All("RUN").Select(r => r.Arguments));
        var owned = Chowns().Matches(runs).Where(m => m.Groups[1].Value == $"{uid}:{gid}").SelectMany(m => m.Groups[2].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

        foreach (var folder in writable)
        {
            // Made in the image, so a fresh named volume mounted there takes its owner.
            Assert.Matches($@"mkdir\s+(-p\s+)?[^&;]*{Regex.Escape(folder)}(\s|$)", runs);
            Assert.Contains(owned, o => folder == o || folder.StartsWith(o.TrimEnd('/') + "/", StringComparison.Ordinal));
        }
        // The app's own files stay root's.
        Assert.All(Dockerfile.Final.All("COPY"), c => Assert.DoesNotContain("--chown", c.Arguments, StringComparison.Ordinal));
        Assert.Equal("/home/app", home);
    }

    [Fact]
    public void Image_ChecksReadinessWithServing()
    {
        var check = Assert.Single(Dockerfile.Final.All("HEALTHCHECK")).Arguments;

        var command = check[(check.IndexOf("CMD", StringComparison.Ordinal) + 3)..].Trim();
        Assert.Equal(["dotnet", "serving.dll", "probe", "ready"], JsonSerializer.Deserialize<string[]>(command)!);
        // A model load must not count as failures.
        Assert.Matches(@"--start-period=\d+", check);
        Assert.Equal(["dotnet", "serving.dll"], JsonSerializer.Deserialize<string[]>(Assert.Single(Dockerfile.Final.All("ENTRYPOINT")).Arguments)!);
    }

    [Fact]
    public void Image_ExposesExactlyThePortsTheRolesListenOn()
    {
        var defaults = new RootCommand();
        ServeCommand.Configure(defaults);
        var parse = defaults.Parse([]);
        int[] ports =
        [
            parse.GetValue<int>("--http-port"),
            parse.GetValue<int>("--kv-port"),
            parse.GetValue<int>("--silo-port"),
            parse.GetValue<int>("--orleans-client-port"),
            int.Parse(ImageEnv()["SERVING_METRICS_PORT"], System.Globalization.CultureInfo.InvariantCulture),
        ];

        var exposed = Dockerfile.Final.All("EXPOSE").SelectMany(e => e.Words).Select(w => int.Parse(w.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ports.Order(), exposed.Order());
        Assert.Equal(new[] { 8000, 9090, 11111, 30000, 50051 }, ports.Order());
    }

    [Fact]
    public void Build_PassesTheTorchBackendToRestoreAndPublish()
    {
        var build = Dockerfile.Stage("build");

        Assert.Contains(build.All("ARG"), a => a.Arguments == "TORCH_BACKEND=cpu");
        var dotnet = build.All("RUN").Where(r => DotnetRestoreOrPublish().IsMatch(r.Arguments)).ToList();
        Assert.Equal(2, dotnet.Count);
        Assert.All(dotnet, r => Assert.Contains("-p:TorchBackend=$TORCH_BACKEND", r.Arguments, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_GetsEveryFileServingHostReadsWhereItLooks()
    {
        var build = Dockerfile.Stage("build");
        var context = new DockerBuildContext(Root, Ignore);
        var copied = context.Copied(build);
        var workdir = "/" + Assert.Single(build.All("WORKDIR")).Arguments.Trim('/');
        var projects = ProjectInputs.Projects(Root, Host);

        var sources = projects.SelectMany(p => context.FilesUnder(Path.GetDirectoryName(p)!));
        foreach (var file in ProjectInputs.BuildFiles(Root).Concat(ProjectInputs.SharedItems(Root, projects)).Concat(sources))
        {
            Assert.True(copied.TryGetValue(file, out var target), $"the build does not get {file} (not copied, or left out by .dockerignore)");
            Assert.Equal($"{workdir}/{file}", target);
        }
        Assert.Contains("tools/Shared/PlotFonts.cs", copied.Keys);
    }

    [Fact]
    public void Build_RestoresFromTheProjectFilesBeforeTheSourcesArrive()
    {
        var build = Dockerfile.Stage("build");
        var beforeRestore = new DockerBuildContext(Root, Ignore).Copied(build, i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        var projects = ProjectInputs.Projects(Root, Host);

        // Every project and the repository-wide build files, so the restore is the one publish would do...
        foreach (var file in projects.Concat(ProjectInputs.BuildFiles(Root)))
            Assert.Contains(file, beforeRestore.Keys);
        // ...and no source, so a change to one reuses the restored layer.
        Assert.DoesNotContain(beforeRestore.Keys, f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".proto", StringComparison.Ordinal));
        Assert.Contains(build.All("RUN"), r => r.Arguments.Contains("--no-restore", StringComparison.Ordinal));
    }

    [Fact]
    public void DockerIgnore_LeavesOutGitTestsAndBuildOutputs()
    {
        string[] excluded =
        [
            ".git", ".git/HEAD", "tests/Serving.Host.Tests/Deployment/DockerfileTests.cs", "artifacts/loadtest/result.json", "models/m/config.json",
            "services/Serving.Host/bin/Release/net10.0/serving.dll", "services/Serving.Engine/obj/project.assets.json",
            "tools/Serving.LoadTest/bin/Debug/x.dll", "tools/Shared/bin/x", "services/Serving.Gateway/TestResults/r.trx",
            "node_modules/x/package.json", ".env", "api-keys",
        ];

        Assert.All(excluded, p => Assert.True(Ignore.Excludes(p), $".dockerignore lets {p} into the build"));
    }

    [Fact]
    public void DockerIgnore_KeepsEverythingTheBuildCopies()
    {
        var context = new DockerBuildContext(Root, Ignore);
        var sources = Dockerfile.Stage("build").All("COPY").SelectMany(c => c.Words[..^1]).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();

        Assert.Contains("tools/Shared/", sources);
        foreach (var source in sources.Select(s => s.Trim('/')))
        {
            var files = Directory.Exists(Path.Combine(Root, source)) ? context.FilesUnder(source).ToList() : [source];
            Assert.NotEmpty(files);
            Assert.All(files, f => Assert.False(Ignore.Excludes(f), $".dockerignore leaves out {f}, which the build copies"));
        }
    }

    [Fact]
    public void DockerIgnore_ReadsPatternsAsDockerDoes()
    {
        var allowlist = DockerIgnoreOf("*", "!src/", "**/bin/", "*.md", "!README.md");
        var drafts = DockerIgnoreOf("docs/**/draft?.txt");

        Assert.True(allowlist.Excludes("notes.txt"));
        Assert.True(allowlist.Excludes("other/a.cs"));
        Assert.False(allowlist.Excludes("src/a/b.cs"));
        Assert.True(allowlist.Excludes("src/a/bin/b.dll"));
        Assert.True(allowlist.Excludes("CHANGES.md"));
        Assert.False(allowlist.Excludes("README.md"));
        Assert.False(allowlist.Excludes("src/sub/notes.md")); // `*` stops at a '/': `*.md` is the top level only
        Assert.True(drafts.Excludes("docs/draft1.txt"));
        Assert.True(drafts.Excludes("docs/a/b/draft1.txt"));
        Assert.False(drafts.Excludes("docs/a/draft12.txt"));
    }

    static DockerIgnore DockerIgnoreOf(params string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"dockerignore-{Guid.NewGuid():N}");
        File.WriteAllLines(path, lines);
        try
        {
            return DockerIgnore.Load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The shared frameworks in serving's runtimeconfig.json, from the build of the same configuration as this test build.
    static Dictionary<string, string> BuiltFrameworks()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = Path.Combine(Root, "services", "Serving.Host", "bin", configuration, "net10.0", "serving.runtimeconfig.json");
        Assert.True(File.Exists(path), $"{path} is missing: build services/Serving.Host ({configuration}) first");
        var options = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("runtimeOptions");
        var frameworks = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList() : [options.GetProperty("framework")];
        return frameworks.ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("version").GetString()!);
    }

    static (int Uid, int Gid) ImageUser()
    {
        var user = Dockerfile.Final.All("USER").LastOrDefault()?.Arguments;
        Assert.NotNull(user);
        // Kubernetes' runAsNonRoot can only verify a numeric user.
        var match = NumericUser().Match(user);
        Assert.True(match.Success, $"USER {user} is not numeric (uid:gid)");
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    static Dictionary<string, string> ImageEnv() =>
        Dockerfile.Final.All("ENV").SelectMany(e => e.Words).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    [GeneratedRegex(@"^[a-z0-9.\-/]+:[A-Za-z0-9._\-]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex PinnedImage();

    [GeneratedRegex(@"^(\d+):(\d+)$")]
    private static partial Regex NumericUser();

    [GeneratedRegex(@"chown\s+(?:-R\s+)?(\S+)\s+([^&;|]+)")]
    private static partial Regex Chowns();

    [GeneratedRegex(@"\bdotnet\s+(restore|publish)\b")]
    private static partial Regex DotnetRestoreOrPublish();
}
