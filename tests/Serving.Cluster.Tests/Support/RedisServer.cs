using System.Diagnostics;
using Serving.Tools.Shared;

namespace Serving.Cluster.Tests.Support;

/// <summary>
/// A real redis-server on a free loopback port, for Orleans membership; stopped with the test. It can be stopped and
/// started again on the same port and data folder, as a restarted Redis pod or container would be.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    readonly string arguments;
    readonly string dataDirectory;
    Process process;

    RedisServer(Process process, string arguments, string dataDirectory, int port, string? password, string? passwordFile)
    {
        this.process = process;
        this.arguments = arguments;
        this.dataDirectory = dataDirectory;
        Port = port;
        Password = password;
        PasswordFile = passwordFile;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The password Redis requires (null: none), and a file holding it, as a mounted Secret would.</summary>
    public string? Password { get; }
    public string? PasswordFile { get; }

    /// <param name="withPassword">Require a random password (given to redis-server in a config file, to clients in <see cref="PasswordFile"/>).</param>
    /// <param name="appendOnly">
    /// Keep the data in an append-only file, as docker-compose and the Helm chart run Redis; without it (the default)
    /// a restart starts empty.
    /// </param>
    public static async Task<RedisServer> StartAsync(bool withPassword = false, bool appendOnly = false)
    {
        var port = FreePort.Next();
        string? password = null, passwordFile = null, config = "";
        if (withPassword)
        {
            password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            passwordFile = Path.Combine(Path.GetTempPath(), $"serving-redis-{port}.password");
            await File.WriteAllTextAsync(passwordFile, password + "\n");
            config = Path.Combine(Path.GetTempPath(), $"serving-redis-{port}.conf");
            await File.WriteAllTextAsync(config, $"requirepass {password}\n");
        }
        var data = Directory.CreateTempSubdirectory($"serving-redis-{port}-").FullName;
        var persistence = appendOnly ? "--appendonly yes --appendfsync everysec" : "--appendonly no";
        var arguments = $"{config} --port {port} --bind 127.0.0.1 --dir {data} --save \"\" {persistence}";
        var server = new RedisServer(Launch(arguments), arguments, data, port, password, passwordFile);
        try
        {
            await server.WaitUpAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    static Process Launch(string arguments)
    {
        var info = new ProcessStartInfo("redis-server", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            var process = Process.Start(info)!;
            // Read and dropped: a full pipe would stall redis-server's logging.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed; .ci/run installs it (apt-get install -y redis-server).", e);
        }
    }

    async Task WaitUpAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await RedisPing.AnswersAsync(Port))
                return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server did not answer on port {Port}.");
    }

    /// <summary>Stops Redis as `docker stop` does (SHUTDOWN: the append-only file, if any, is flushed first).</summary>
    public async Task StopAsync()
    {
        await CliAsync("SHUTDOWN");
        if (!process.WaitForExit(10_000))
            throw new TimeoutException($"redis-server on port {Port} did not stop.");
    }

    /// <summary>Starts Redis again on the same port, options and data folder; it answers when this returns.</summary>
    public async Task RestartAsync()
    {
        process.Dispose();
        process = Launch(arguments);
        await WaitUpAsync();
    }

    /// <summary>The membership table of the cluster `serving --cluster-id ID` writes (a hash: field, then value).</summary>
    public async Task<IReadOnlyDictionary<string, string>> MembershipTableAsync(string clusterId)
    {
        var lines = (await CliAsync("HGETALL", $"{clusterId}/members/{clusterId}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Enumerable.Range(0, lines.Length / 2).ToDictionary(i => lines[2 * i], i => lines[2 * i + 1]);
    }

    /// <summary>One command through redis-cli (installed with redis-server); its raw output.</summary>
    async Task<string> CliAsync(params string[] command)
    {
        var info = new ProcessStartInfo("redis-cli", ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Password is not null)
            info.Environment["REDISCLI_AUTH"] = Password;
        using var cli = Process.Start(info)!;
        var errors = cli.StandardError.ReadToEndAsync();
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output + await errors;
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
        process.Dispose();
        Directory.Delete(dataDirectory, recursive: true);
        foreach (var file in new[] { PasswordFile, PasswordFile is null ? null : Path.ChangeExtension(PasswordFile, ".conf") })
            if (file is not null)
                File.Delete(file);
    }
}
