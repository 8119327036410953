using System.Diagnostics;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Soak.Target;

/// <summary>A redis-server on a free loopback port for the cluster's membership, without persistence; stopped with the soak.</summary>
internal sealed class RedisProcess : IDisposable
{
    readonly Process process;

    RedisProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(CancellationToken cancellationToken)
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
            throw new InvalidOperationException("--embedded-cluster needs redis-server (apt-get install -y redis-server).", e);
        }
        // Nobody reads its output otherwise, and a full pipe would stall it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisProcess(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (await RedisPing.AnswersAsync(port, cancellationToken))
                return redis;
            await Task.Delay(50, cancellationToken);
        }
        redis.Dispose();
        throw new TimeoutException($"redis-server did not answer on port {port}.");
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(5000);
        process.Dispose();
    }
}
