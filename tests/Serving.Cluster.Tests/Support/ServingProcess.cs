using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Serving.Tests.Shared;
using Serving.Tools.Shared;

namespace Serving.Cluster.Tests.Support;

/// <summary>One `serving` OS process with the given roles, joined to the cluster through Redis; its output is kept for the test.</summary>
internal sealed partial class ServingProcess : IDisposable
{
    readonly Process process;
    readonly ConcurrentQueue<string> lines = new();
    readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    ServingProcess(string name, Process process, int siloPort, int httpPort, int kvPort, int orleansClientPort)
    {
        Name = name;
        this.process = process;
        SiloPort = siloPort;
        HttpPort = httpPort;
        KvPort = kvPort;
        OrleansClientPort = orleansClientPort;
    }

    public string Name { get; }
    public int SiloPort { get; }
    public int HttpPort { get; }
    public int KvPort { get; }
    public int OrleansClientPort { get; }
    public int ProcessId => process.Id;
    public bool HasExited => process.HasExited;
    /// <summary>Whether it printed its start-up line (it is serving).</summary>
    public bool IsReady => ready.Task.IsCompleted;
    public int ExitCode => process.ExitCode;
    public IEnumerable<string> Output => lines;

    /// <summary>
    /// Starts a process of a Redis cluster, or a self-contained one (localhost clustering) when <paramref name="redis"/>
    /// is null. A cluster process runs with the cluster's certificates (<see cref="ClusterCertificates"/>) unless
    /// <paramref name="extra"/> gives its own --tls-dir or --insecure.
    /// </summary>
    /// <param name="extra">More options, e.g. <c>--drain-timeout-s 2</c>.</param>
    public static ServingProcess Start(string name, string roles, RedisServer? redis, string modelFolder, string transport = "grpc", string extra = "")
    {
        var siloPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var kvPort = FreePort.Next();
        var orleansClientPort = FreePort.Next();
        var cluster = redis is null ? "" : $"--redis {redis.Address} --cluster-id test-{redis.Port}";
        if (redis?.PasswordFile is { } passwordFile)
            cluster += $" --redis-password-file {passwordFile}";
        if (redis is not null && !extra.Contains("--tls-dir", StringComparison.Ordinal) && !extra.Contains("--insecure", StringComparison.Ordinal))
            cluster += $" --tls-dir {ClusterCertificates.Directory}";
        var args = string.Join(' ',
            ServingDll(), "--roles", roles, cluster,
            "--model", modelFolder, "--http-port", httpPort, "--kv-port", kvPort, "--silo-port", siloPort,
            "--orleans-client-port", orleansClientPort, "--kv-cache-mb", "64", "--kv-transport", transport, "--dtype", "float32", extra);
        var info = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(info)!;
        var serving = new ServingProcess(name, process, siloPort, httpPort, kvPort, orleansClientPort);
        process.OutputDataReceived += (_, e) => serving.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => serving.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return serving;
    }

    void OnLine(string? line)
    {
        if (line is null)
            return;
        lines.Enqueue(line);
        if (line.StartsWith("serving: roles", StringComparison.Ordinal))
            ready.TrySetResult();
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var exited = process.WaitForExitAsync();
        var done = await Task.WhenAny(ready.Task, exited, Task.Delay(timeout));
        if (done != ready.Task)
            throw new InvalidOperationException($"{Name} did not start:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
    }

    /// <summary>Asks the process to stop as Kubernetes and docker do: SIGTERM (it drains, then exits).</summary>
    public void Terminate()
    {
        if (!process.HasExited && Kill(process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {process.Id} failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Kill()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(10000);
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    /// <summary>The `serving` build next to this test build (same configuration).</summary>
    public static string ServingDll()
    {
        // .../bin/<Configuration>/<tfm>/
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(RepositoryRoot.Find(), "services", "Serving.Host", "bin", configuration, "net10.0", "serving.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build services/Serving.Host first", dll);
    }
}
