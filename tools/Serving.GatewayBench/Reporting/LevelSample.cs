namespace Serving.GatewayBench.Reporting;

/// <summary>
/// One repetition of one concurrency level. Latencies in ms. "Added" = inter-token gap at the client minus the
/// fake's interval, over the gaps taken while all streams were open (<see cref="AllOpen"/>), else over every gap.
/// <see cref="BunchedShare"/>: the share of gaps shorter than half the interval — tokens the path held back and
/// then delivered together, which pull the median gap down rather than up.
/// </summary>
internal sealed record LevelSample(
    int Streams,
    int Rep,
    int Errors,
    string? FirstError,
    int MaxOpen,
    bool AllOpen,
    double WindowS,
    int Gaps,
    double ItlMedianMs,
    double AddedMedianMs,
    double AddedP90Ms,
    double AddedP99Ms,
    double AddedMeanMs,
    double BunchedShare,
    double ServerAddedMedianMs,
    double ServerAddedP99Ms,
    double DeliveryMedianMs,
    double DeliveryP99Ms,
    double TokensPerS,
    double FakeLateMedianMs,
    double FakeLateP99Ms,
    double LoopBetweenMedianMs,
    double LoopBetweenP99Ms,
    int MaxBatch,
    double ServerCpuUsPerToken,
    double ClientCpuUsPerToken)
{
    /// <summary>Methods the server's JIT compiled during the level, and its time: near zero once warm-up is over.</summary>
    public long ServerJitMethods { get; init; }
    public double ServerJitMs { get; init; }
}
