using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Serving.Tests.Shared;

namespace Serving.Cluster.Tests.Support;

/// <summary>A real redis-server on a free loopback port, for Orleans membership; stopped with the test.</summary>
internal sealed class RedisServer : IDisposable
{
    readonly Process process;

    RedisServer(Process process, int port, string? password, string? passwordFile)
    {
        this.process = process;
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
    public static async Task<RedisServer> StartAsync(bool withPassword = false)
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
        var info = new ProcessStartInfo("redis-server", $"{config} --port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not installed; .ci/run installs it (apt-get install -y redis-server).", e);
        }
        var server = new RedisServer(process, port, password, passwordFile);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await server.PingAsync())
                return server;
            await Task.Delay(50);
        }
        server.Dispose();
        throw new TimeoutException($"redis-server did not answer on port {port}.");
    }

    async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var n = await stream.ReadAsync(buffer);
            // Without the password a protected server answers -NOAUTH: it is up all the same.
            var reply = Encoding.ASCII.GetString(buffer, 0, n);
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
        process.Dispose();
        foreach (var file in new[] { PasswordFile, PasswordFile is null ? null : Path.ChangeExtension(PasswordFile, ".conf") })
            if (file is not null)
                File.Delete(file);
    }
}
