using System.Diagnostics;
using System.Globalization;
using Serving.GatewayBench.Fake;

namespace Serving.GatewayBench.Client;

/// <summary>The parent's handle on the server child: starts it, waits until its worker has joined, and reads the fake's step timings.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StreamWriter log;

    ServerProcess(Process process, StreamWriter log, int port)
    {
        this.process = process;
        this.log = log;
        Port = port;
    }

    public int Port { get; }
    public int ProcessId => process.Id;

    /// <summary>CPU time the server has used so far (user + system, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    public static async Task<ServerProcess> StartAsync(double intervalMs, int maxConcurrent, string logPath)
    {
        // Run as `dotnet Serving.GatewayBench.dll` or as the apphost: re-launch the same way.
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            info.ArgumentList.Add(typeof(ServerProcess).Assembly.Location);
        foreach (var a in new[] { "server", "--interval-ms", intervalMs.ToString(CultureInfo.InvariantCulture), "--max-concurrent", $"{maxConcurrent}" })
            info.ArgumentList.Add(a);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the server process.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
                lock (log)
                    log.WriteLine(line);
        };
        process.BeginErrorReadLine();
        var ready = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException($"the server exited before it was ready (log: {logPath}).");
        if (ready.Split(' ') is not ["ready", var port])
            throw new InvalidOperationException($"the server did not start: {ready}");
        var server = new ServerProcess(process, log, int.Parse(port, CultureInfo.InvariantCulture));
        await server.WaitHealthyAsync();
        return server;
    }

    async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await http.GetAsync("/health");
            if (response.IsSuccessStatusCode)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the fake worker did not join: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(100);
        }
    }

    /// <summary>The fake engine's steps since the last call.</summary>
    public async Task<List<StepSample>> StepsAsync()
    {
        await process.StandardInput.WriteLineAsync("steps");
        await process.StandardInput.FlushAsync();
        var reply = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the server exited.");
        var parts = reply.Split(' ');
        if (parts is not ["steps", var count, var late, var between, var batch])
            throw new InvalidOperationException($"unexpected reply from the server: {reply[..Math.Min(reply.Length, 200)]}");
        var n = int.Parse(count, CultureInfo.InvariantCulture);
        if (n == 0)
            return [];
        static double D(string s) => s == "nan" ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
        var lates = late.Split(',');
        var betweens = between.Split(',');
        var batches = batch.Split(',');
        return [.. Enumerable.Range(0, n).Select(i => new StepSample(D(lates[i]), D(betweens[i]), int.Parse(batches[i], CultureInfo.InvariantCulture)))];
    }

    /// <summary>Methods the server's JIT has compiled so far, and the time it spent: to see that warm-up is over.</summary>
    public async Task<(long Methods, double Ms)> JitAsync()
    {
        await process.StandardInput.WriteLineAsync("jit");
        await process.StandardInput.FlushAsync();
        var reply = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the server exited.");
        return reply.Split(' ') is ["jit", var methods, var ms]
            ? (long.Parse(methods, CultureInfo.InvariantCulture), double.Parse(ms, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"unexpected reply from the server: {reply}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await process.StandardInput.WriteLineAsync("quit");
            await process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception)
        {
            process.Kill();
        }
        process.Dispose();
        lock (log)
            log.Dispose();
    }
}
