namespace Serving.Host.Simulating;

/// <summary>`serving simulate --out`: the configuration, the SLO (ms), the prefix hit rate, the simulated goodput when there is a workload shape, and every rate.</summary>
internal sealed record SimulationReport(
    string Profile,
    string Config,
    int LayerGroups,
    int PrefillChunkTokens,
    int ShortPromptThreshold,
    int MaxBatchedPrefillTokens,
    int MaxDecodeBatch,
    long KvCapacityTokens,
    double TtftMs,
    double TpotMs,
    double? MaxItlMs,
    string? FromResult,
    double? Goodput,
    double? GoodputAttainment,
    IReadOnlyList<RateComparison> Rates,
    double PrefixHitRate = 0);
