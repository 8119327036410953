using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Serving.Gateway.Telemetry;

/// <summary>
/// The gateway's instruments (meter <c>Serving.Gateway</c>): outcomes, latencies as clients see them (TTFT, TPOT,
/// ITL, E2E — defined as <c>vllm bench serve</c> defines them), token counts, and what is in flight.
/// </summary>
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Serving.Gateway";
    public const string ActivitySourceName = "Serving.Gateway";

    public static readonly ActivitySource Activities = new(ActivitySourceName);

    // Seconds: from a few ms (ITL on a GPU) to minutes (E2E of long generations).
    static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 40, 80, 160];

    readonly Meter meter;

    public GatewayMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        Requests = meter.CreateCounter<long>("serving.requests", "{request}", "Generation requests by endpoint and outcome (ok, or the error status; cancelled when the client left).");
        Ttft = Histogram("serving.request.time_to_first_token", "Time from the request's arrival to its first output token, per choice.");
        Tpot = Histogram("serving.request.time_per_output_token", "(E2E - TTFT) / (output tokens - 1), per choice.");
        Itl = Histogram("serving.request.inter_token_latency", "Gap between successive output chunks of a choice.");
        E2e = Histogram("serving.request.e2e_latency", "Time from the request's arrival to its last output token, per choice.");
        PromptTokens = meter.CreateCounter<long>("serving.tokens.prompt", "{token}", "Prompt tokens of admitted requests.");
        GeneratedTokens = meter.CreateCounter<long>("serving.tokens.generated", "{token}", "Output tokens produced.");
    }

    public Counter<long> Requests { get; }
    public Histogram<double> Ttft { get; }
    public Histogram<double> Tpot { get; }
    public Histogram<double> Itl { get; }
    public Histogram<double> E2e { get; }
    public Counter<long> PromptTokens { get; }
    public Counter<long> GeneratedTokens { get; }

    /// <summary>A gauge read when metrics are collected.</summary>
    public void Gauge<T>(string name, string unit, string description, Func<IEnumerable<Measurement<T>>> observe) where T : struct =>
        meter.CreateObservableGauge(name, observe, unit, description);

    Histogram<double> Histogram(string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public void Dispose() => meter.Dispose();
}
