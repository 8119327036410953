using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serving.Worker.Runtime;

namespace Serving.Worker.Telemetry;

/// <summary>
/// The workers' spans (<c>prefill</c>, <c>kv.transfer</c>, <c>decode</c>: children of the gateway's request span
/// across silos) and KV transfer instruments (meter <c>Serving.Worker</c>, one per host through its meter factory).
/// </summary>
public sealed class WorkerTelemetry
{
    public const string Name = "Serving.Worker";

    public static readonly ActivitySource Activities = new(Name);

    static readonly double[] TransferBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    // The engines whose prefix caches the observable counters read, by worker.
    readonly ConcurrentDictionary<string, EngineLoop> loops = new();

    public WorkerTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        KvBytes = meter.CreateCounter<long>("serving.kv.transfer.bytes", "By", "KV bytes imported by decode workers, by direction (push: the prefill worker sends, in process or over gRPC; pull) and outcome.");
        KvDuration = meter.CreateHistogram("serving.kv.transfer.duration", "s",
            "Reservation to last KV group imported on the decode worker (overlaps the prefill's compute), by direction and outcome (ok, failed, cancelled).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TransferBuckets });
        Recomputed = meter.CreateCounter<long>("serving.kv.recomputed", "{request}", "Requests whose KV transfer finally failed and whose prefill the decode worker recomputed.");
        KvSaved = meter.CreateCounter<long>("serving.kv.saved.bytes", "By",
            "KV bytes not sent to decode workers because their prefix cache already held the blocks (delta transfer).");
        meter.CreateObservableCounter("serving.prefix_cache.lookups", () => PerWorker(e => e.PrefixLookups), "{lookup}",
            "Prefix-cache lookups by worker: prompts admitted and imports reserved.");
        meter.CreateObservableCounter("serving.prefix_cache.hit_tokens", () => PerWorker(e => e.PrefixHitTokens), "{token}",
            "Prompt tokens found in a worker's prefix cache at admission (not computed, and for a decode worker not transferred).");
    }

    /// <summary>Reports this worker's prefix-cache counters from now on.</summary>
    public void Track(string worker, EngineLoop loop) => loops[worker] = loop;

    IEnumerable<Measurement<long>> PerWorker(Func<Engine.Core.LlmEngine, long> read) =>
        loops.Select(p => new Measurement<long>(read(p.Value.Engine), new KeyValuePair<string, object?>("worker", p.Key)));

    public Counter<long> KvBytes { get; }
    public Histogram<double> KvDuration { get; }
    public Counter<long> Recomputed { get; }
    public Counter<long> KvSaved { get; }
}
