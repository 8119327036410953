using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Serving.LoadTest.Embedded;

/// <summary>
/// The `serving` executable started by the harness itself (its default: gateway, prefill and decode workers in one
/// process on the default model) on free ports; ready once GET /health answers 200; killed when disposed.
/// </summary>
internal sealed class EmbeddedServing : IAsyncDisposable
{
    readonly Process process;
    readonly ConcurrentQueue<string> output = new();

    EmbeddedServing(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<EmbeddedServing> StartAsync(string? servingDll, string extraArgs, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var dll = servingDll ?? FindServingDll();
        var port = FreePort();
        var args = $"\"{dll}\" --http-port {port} --silo-port {FreePort()} --orleans-client-port {FreePort()} --kv-port {FreePort()} {extraArgs}";
        var info = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var serving = new EmbeddedServing(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}/"));
        serving.process.OutputDataReceived += (_, e) => serving.Keep(e.Data);
        serving.process.ErrorDataReceived += (_, e) => serving.Keep(e.Data);
        serving.process.BeginOutputReadLine();
        serving.process.BeginErrorReadLine();
        try
        {
            await serving.WaitHealthyAsync(readyTimeout, cancellationToken);
            return serving;
        }
        catch
        {
            await serving.DisposeAsync();
            throw;
        }
    }

    void Keep(string? line)
    {
        if (line is null)
            return;
        output.Enqueue(line);
        while (output.Count > 200)
            output.TryDequeue(out _);
    }

    async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"serving exited with code {process.ExitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "health"), cancellationToken);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow answer while it starts.
            }
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"serving was not healthy within {timeout.TotalSeconds:0} s:{Environment.NewLine}{string.Join(Environment.NewLine, output)}");
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>services/Serving.Host's build output in this repository, the configuration of this build first.</summary>
    public static string FindServingDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serving.sln")))
            dir = dir.Parent;
        if (dir is null)
            throw new FileNotFoundException("not inside the Serving repository: give --serving-dll PATH");
        var own = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name ?? "Release";
        var candidates = new[] { own, "Release", "Debug" }.Distinct()
            .Select(c => Path.Combine(dir.FullName, "services", "Serving.Host", "bin", c, "net10.0", "serving.dll"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("serving.dll not found: run `dotnet build services/Serving.Host -c Release` or give --serving-dll PATH");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
