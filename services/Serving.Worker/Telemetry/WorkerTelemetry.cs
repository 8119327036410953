using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Serving.Worker.Telemetry;

/// <summary>
/// The workers' spans (<c>prefill</c>, <c>kv.transfer</c>, <c>decode</c>: children of the gateway's request span
/// across silos) and KV transfer instruments (meter <c>Serving.Worker</c>).
/// </summary>
public static class WorkerTelemetry
{
    public const string Name = "Serving.Worker";

    public static readonly ActivitySource Activities = new(Name);

    static readonly Meter Meter = new(Name);

    static readonly double[] TransferBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>KV moved into this decode worker's pool, by transport.</summary>
    public static readonly Counter<long> KvBytes = Meter.CreateCounter<long>("serving.kv.transfer.bytes", "By", "KV bytes imported by decode workers, by transport (push or pull) and outcome.");

    /// <summary>From the decode worker's reservation to its last KV group imported: it overlaps the prefill, which streams per layer group.</summary>
    public static readonly Histogram<double> KvDuration = Meter.CreateHistogram("serving.kv.transfer.duration", "s",
        "Reservation to last KV group imported on the decode worker (overlaps the prefill's compute), by transport and outcome.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TransferBuckets });

    public static readonly Counter<long> Recomputed = Meter.CreateCounter<long>("serving.kv.recomputed", "{request}", "Requests whose KV transfer finally failed and whose prefill the decode worker recomputed.");
}
