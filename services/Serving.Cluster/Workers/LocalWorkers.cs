using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Serving.Contracts;
using Serving.Cluster.Placement;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Worker.Roles;
using Serving.Worker.Runtime;
using Serving.Worker.Telemetry;
using Serving.Worker.Transfer;

namespace Serving.Cluster.Workers;

/// <summary>
/// The workers this process hosts, created at start-up (one engine and one loop thread each) and found by name by
/// the worker grains that front them.
/// </summary>
public sealed partial class LocalWorkers(
    ServingClusterOptions options,
    ILocalSiloDetails silo,
    KvInboxRegistry inboxes,
    IKvTransport transport,
    IMeterFactory meters,
    ILoggerFactory loggers) : IHostedService
{
    readonly WorkerTelemetry telemetry = new(meters);
    readonly Dictionary<string, LocalWorker> byName = [];
    readonly ILogger logger = loggers.CreateLogger<LocalWorkers>();

    public IReadOnlyCollection<LocalWorker> All => byName.Values;

    public LocalWorker Get(string name) =>
        byName.TryGetValue(name, out var w) ? w : throw new InvalidOperationException($"worker '{name}' does not run in this process.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // libtorch's intra-op pool is process-wide: the cores are split so workers do not steal each other's.
        var threads = ThreadsPerWorker(options.Workers.Count);
        if (options.Workers.Count > 0)
            Log.Threads(logger, options.Workers.Count, threads);
        foreach (var spec in options.Workers)
            byName[spec.Name] = Create(spec, threads);
        return Task.CompletedTask;
    }

    /// <summary>libtorch threads each of <paramref name="workers"/> workers in one process gets: the cores split evenly, at least 1.</summary>
    public static int ThreadsPerWorker(int workers) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, workers));

    LocalWorker Create(WorkerSpec spec, int threads)
    {
        var key = WorkerKey.For(silo.SiloAddress, spec.Name);
        var engine = options.EngineFactory(RoleEngineSettings.For(spec.Role, options.Prefill).ApplyTo(spec.Engine with { NumThreads = threads }));
        WarmUp(spec.Name, engine);
        var trace = options.StepTraceDirectory is { } dir
            ? new StepTrace(Path.Combine(dir, $"steps-{spec.Name}-{Environment.ProcessId}.csv"), engine.Config.NumLayers)
            : null;
        var loop = new EngineLoop(spec.Name, engine, loggers.CreateLogger($"Serving.Worker.{spec.Name}"), trace, options.HangFile);
        // Every worker can take either phase, so the planner can switch its role at runtime.
        var endpoint = new KvEndpoint(key, options.KvAddress);
        var prefill = new PrefillRole(loop, transport, endpoint);
        var inbox = new KvInbox(key, loop);
        inboxes.Add(inbox);
        var decode = new DecodeRole(loop, inbox, endpoint, transport, TransferPipeline(), loggers.CreateLogger<DecodeRole>(), telemetry) { ReservationTimeout = options.ReservationTimeout };
        telemetry.Track(key, loop);
        Log.Started(logger, key, spec.Role, engine.Device.type.ToString().ToLowerInvariant(), engine.DType.ToString(), engine.NumTotalBlocks);
        return new LocalWorker(key, spec.Role, loop, prefill, decode, options.Prefill, options.StallTimeout);
    }

    /// <summary>
    /// Runs one tiny request through the engine before the worker joins, so its first real request does not pay for
    /// JIT compilation and the device's first kernels (the readiness probe passes only after this). The prompt is
    /// shorter than a KV block: nothing of it stays in the prefix cache.
    /// </summary>
    void WarmUp(string name, LlmEngine engine)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var prompt = Enumerable.Range(1, Math.Min(8, engine.KvLayout.BlockSize - 1)).ToArray();
        engine.AddRequest($"warmup-{name}", prompt, SamplingParams.Greedy(2));
        for (var steps = 0; engine.HasUnfinishedRequests && steps < 16; steps++)
            engine.Step();
        Log.WarmedUp(logger, name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    ResiliencePipeline TransferPipeline() => new ResiliencePipelineBuilder()
        .AddRetry(new Polly.Retry.RetryStrategyOptions
        {
            MaxRetryAttempts = options.TransferRetries,
            Delay = TimeSpan.FromMilliseconds(50),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            // Anything but a refusal (layout, unknown request) may be transient: a peer restarting, a dropped connection.
            // A prefill worker that is shutting down refuses at once, and one whose process is dead will not answer:
            // recompute here rather than ask it again.
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not (OperationCanceledException or KvTransferException { Retryable: false } or WorkerLeavingException or SiloUnavailableException)),
        })
        .AddTimeout(options.TransferTimeout)
        .Build();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var worker in byName.Values)
        {
            inboxes.Remove(worker.Key);
            await worker.Loop.DisposeAsync();
        }
        byName.Clear();
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Workers} worker(s) in this process, {Threads} intra-op thread(s) each.")]
        public static partial void Threads(ILogger logger, int workers, int threads);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Key} started as {Role} on {Device} ({DType}), {Blocks} KV blocks.")]
        public static partial void Started(ILogger logger, string key, WorkerRole role, string device, string dtype, int blocks);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {Name} warmed up in {Ms:0} ms.")]
        public static partial void WarmedUp(ILogger logger, string name, double ms);
    }
}
