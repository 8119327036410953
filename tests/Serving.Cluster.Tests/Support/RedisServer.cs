using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Serving.Tests.Shared;

namespace Serving.Cluster.Tests.Support;

/// <summary>A real redis-server on a free loopback port, for Orleans membership; stopped with the test.</summary>
internal sealed class RedisServer : IDisposable
{
    readonly Process process;

    RedisServer(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
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
        var server = new RedisServer(process, port);
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
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
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
    }
}
