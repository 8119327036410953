using System.Diagnostics;
using Serving.LoadTest.Soak.Checks;
using Serving.LoadTest.Soak.Faults;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Soak.Target;

/// <summary>
/// A multi-process cluster started by the soak as the README starts one: Redis, the cluster's certificates from
/// `serving certs`, a gateway process, and prefill and decode worker processes joined through Redis over mutual TLS.
/// Its worker processes are the ones the soak may kill.
/// </summary>
internal sealed class ClusterTarget : ISoakTarget, IWorkerKiller
{
    readonly SoakTargetSettings settings;
    readonly string dll;
    readonly RedisProcess redis;
    readonly string tlsDir;
    readonly HttpClient http;
    readonly LogBook log;
    readonly SoakClock clock;
    readonly Lock gate = new();
    readonly List<ServerProcess> processes = [];
    int restarts;

    ClusterTarget(SoakTargetSettings settings, string dll, RedisProcess redis, string tlsDir, HttpClient http, LogBook log, SoakClock clock)
    {
        this.settings = settings;
        this.dll = dll;
        this.redis = redis;
        this.tlsDir = tlsDir;
        this.http = http;
        this.log = log;
        this.clock = clock;
    }

    ServerProcess Gateway => processes[0];
    int WorkerCount => settings.PrefillProcesses + settings.DecodeProcesses;

    public Uri BaseUrl => new($"http://127.0.0.1:{Gateway.HttpPort}/");
    public string Description => $"Redis {redis.Address}, a gateway process and {settings.PrefillProcesses} prefill + {settings.DecodeProcesses} decode worker processes over mutual TLS, {BaseUrl}";
    public bool CapturesLogs => true;
    public IWorkerKiller? Killer => this;

    public IReadOnlyList<WatchedProcess> Processes
    {
        get
        {
            lock (gate)
                return [.. processes.Where(p => !p.HasExited).Select(p => p.Watched)];
        }
    }

    public static async Task<ClusterTarget> StartAsync(SoakTargetSettings settings, HttpClient http, LogBook log, SoakClock clock, CancellationToken cancellationToken)
    {
        var dll = settings.ServingDll ?? Embedded.EmbeddedServing.FindServingDll();
        var tlsDir = Path.Combine(Path.GetTempPath(), $"serving-soak-tls-{Environment.ProcessId}");
        await WriteCertificatesAsync(dll, tlsDir, cancellationToken);
        var cluster = new ClusterTarget(settings, dll, await RedisProcess.StartAsync(cancellationToken), tlsDir, http, log, clock);
        try
        {
            // The gateway first, alone: it writes the default model on first use, which the workers then only read.
            cluster.processes.Add(cluster.Launch("gateway", "gateway"));
            await cluster.Gateway.WaitReadyAsync(TimeSpan.FromMinutes(3), cancellationToken);
            var workers = Enumerable.Range(0, settings.PrefillProcesses).Select(i => cluster.Launch($"prefill-{i}", "prefill"))
                .Concat(Enumerable.Range(0, settings.DecodeProcesses).Select(i => cluster.Launch($"decode-{i}", "decode"))).ToList();
            cluster.processes.AddRange(workers);
            foreach (var worker in workers)
                await worker.WaitReadyAsync(TimeSpan.FromMinutes(2), cancellationToken);
            await HealthWait.UntilHealthyAsync(http, cluster.BaseUrl, cluster.WorkerCount, TimeSpan.FromMinutes(2), cluster.Exited, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    ServerProcess Launch(string name, string roles)
    {
        var httpPort = FreePort.Next();
        var args = string.Join(' ', "--roles", roles, "--redis", redis.Address, "--cluster-id", $"soak-{redis.Port}", "--tls-dir", $"\"{tlsDir}\"",
            "--http-port", httpPort, "--kv-port", FreePort.Next(), "--silo-port", FreePort.Next(), "--orleans-client-port", FreePort.Next(), settings.ServingArgs);
        return ServerProcess.Start(name, roles, dll, args, httpPort, log, clock);
    }

    string? Exited()
    {
        lock (gate)
            return processes.FirstOrDefault(p => p.HasExited && !p.Killed) is { } gone ? $"{gone.Name} exited:{Environment.NewLine}{log.Tail(gone.Name)}" : null;
    }

    public async Task<FaultRecord> KillAndRestartAsync(Random random, TimeSpan restartAfter, CancellationToken cancellationToken)
    {
        ServerProcess victim;
        lock (gate)
        {
            var live = processes.Skip(1).Where(p => !p.HasExited).ToList();
            victim = live[random.Next(live.Count)];
        }
        var start = clock.Seconds;
        victim.Kill();
        await Task.Delay(restartAfter, cancellationToken);
        var name = $"{victim.Roles}-r{Interlocked.Increment(ref restarts)}";
        var replacement = Launch(name, victim.Roles);
        lock (gate)
            processes.Add(replacement);
        try
        {
            await replacement.WaitReadyAsync(TimeSpan.FromMinutes(2), cancellationToken);
            // Back to full strength: the dead worker has left routing and the new one has joined.
            await HealthWait.UntilHealthyAsync(http, BaseUrl, WorkerCount, TimeSpan.FromMinutes(2), Exited, cancellationToken);
            return new FaultRecord("kill", $"{victim.Name} (pid {victim.Pid}, {victim.Roles})", start, clock.Seconds, true,
                $"SIGKILL; {name} (pid {replacement.Pid}) started after {restartAfter.TotalSeconds:0.#} s; {WorkerCount} workers routable again after {clock.Seconds - start:0.0} s");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return new FaultRecord("kill", $"{victim.Name} (pid {victim.Pid}, {victim.Roles})", start, clock.Seconds, false, $"the cluster did not recover: {e.Message}");
        }
    }

    static async Task WriteCertificatesAsync(string dll, string folder, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" certs --out \"{folder}\"") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"serving certs failed ({process.ExitCode}): {await output}{await errors}");
    }

    public ValueTask DisposeAsync()
    {
        lock (gate)
            foreach (var p in processes)
                p.Dispose();
        redis.Dispose();
        try
        {
            Directory.Delete(tlsDir, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
