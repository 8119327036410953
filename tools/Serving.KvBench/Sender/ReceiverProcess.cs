using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Serving.KvBench.Sender;

/// <summary>The parent's handle on the receiver child: starts it, speaks its line protocol, and owns the raw TCP connection to its sink.</summary>
internal sealed class ReceiverProcess : IAsyncDisposable
{
    readonly Process process;
    readonly SemaphoreSlim gate = new(1);

    ReceiverProcess(Process process, string kvAddress, string? tlsAddress, TcpClient tcp)
    {
        this.process = process;
        KvAddress = kvAddress;
        TlsAddress = tlsAddress;
        Tcp = tcp;
    }

    public string KvAddress { get; }

    /// <summary>The same KV service over mutual TLS, when started with certificates.</summary>
    public string? TlsAddress { get; }
    public TcpClient Tcp { get; }

    public static async Task<ReceiverProcess> StartAsync(int poolMb, int maxChunk, int threads, string? tlsDir = null)
    {
        // Run as `dotnet Serving.KvBench.dll` or as the apphost: re-launch the same way.
        var host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            info.ArgumentList.Add(typeof(ReceiverProcess).Assembly.Location);
        foreach (var a in new[] { "receiver", "--pool-mb", $"{poolMb}", "--max-chunk", $"{maxChunk}", "--threads", $"{threads}" })
            info.ArgumentList.Add(a);
        if (tlsDir is not null)
        {
            info.ArgumentList.Add("--tls-dir");
            info.ArgumentList.Add(tlsDir);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the receiver process.");
        var ready = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the receiver exited before it was ready.");
        if (ready.Split(' ') is not ["ready", var address, var port, var tlsAddress])
            throw new InvalidOperationException($"unexpected line from the receiver: {ready}");
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", int.Parse(port, CultureInfo.InvariantCulture));
        return new ReceiverProcess(process, address, tlsAddress == "-" ? null : tlsAddress, tcp);
    }

    public int ProcessId => process.Id;

    /// <summary>Sends one command and returns its reply; an <c>error</c> reply throws.</summary>
    public async Task<string[]> CallAsync(string command)
    {
        await gate.WaitAsync();
        try
        {
            await process.StandardInput.WriteLineAsync(command);
            await process.StandardInput.FlushAsync();
            var reply = await process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the receiver exited.");
            return reply.StartsWith("error", StringComparison.Ordinal)
                ? throw new InvalidOperationException($"receiver: '{command}' failed: {reply}")
                : reply.Split(' ');
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reserves blocks for a request on the decode side; returns the transfer token its inbox issued for it.</summary>
    public async Task<string> ReserveAsync(string requestId, int tokens, int maxTokens) => (await CallAsync($"reserve {requestId} {tokens} {maxTokens}"))[1];

    /// <summary>Tells the receiver to pull the request's KV from the given KV server (the pull direction).</summary>
    public Task PullAsync(string requestId, string address, int tokens, string transferToken) => CallAsync($"pull {requestId} {address} {tokens} {transferToken}");

    /// <summary>Waits for a reserved request to finish on the decode worker: its first and second output timestamps and output count.</summary>
    public async Task<(long First, long Second, int OutputTokens)> WaitAsync(string requestId)
    {
        var r = await CallAsync($"wait {requestId}");
        return (long.Parse(r[1], CultureInfo.InvariantCulture), long.Parse(r[2], CultureInfo.InvariantCulture), int.Parse(r[3], CultureInfo.InvariantCulture));
    }

    public async Task<(int Free, int Total, long BytesImported)> PoolsAsync()
    {
        var r = await CallAsync("pools");
        return (int.Parse(r[1], CultureInfo.InvariantCulture), int.Parse(r[2], CultureInfo.InvariantCulture), long.Parse(r[3], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        Tcp.Dispose();
        try
        {
            await process.StandardInput.WriteLineAsync("quit");
            await process.StandardInput.FlushAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception)
        {
            process.Kill();
        }
        process.Dispose();
        gate.Dispose();
    }
}
