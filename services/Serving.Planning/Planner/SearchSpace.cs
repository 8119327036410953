namespace Serving.Planning.Planner;

/// <summary>The knobs the planner tries; every list is searched in full (a grid).</summary>
/// <param name="LayerGroups">G values for local prefill; null means 1, 2, 4, … up to the profile's layer count.</param>
/// <param name="ShortPromptThresholds">Thresholds below which decode workers prefill locally (0 = never); ignored when colocated.</param>
/// <param name="MaxBatchedPrefillTokens">Prefill token budgets.</param>
/// <param name="MaxDecodeBatches">Decode batch limits.</param>
/// <param name="KvCapacityTokens">KV capacity of every worker, in tokens (a property of the device, not searched).</param>
/// <param name="Colocated">Whether to try all-mixed (colocated) configurations.</param>
/// <param name="Disaggregated">Whether to try every P/D split.</param>
public sealed record SearchSpace(
    IReadOnlyList<int>? LayerGroups = null,
    IReadOnlyList<int>? ShortPromptThresholds = null,
    IReadOnlyList<int>? MaxBatchedPrefillTokens = null,
    IReadOnlyList<int>? MaxDecodeBatches = null,
    long KvCapacityTokens = 1 << 20,
    bool Colocated = true,
    bool Disaggregated = true)
{
    /// <summary>The thresholds tried when none are given.</summary>
    public static IReadOnlyList<int> DefaultThresholds { get; } = [0, 128, 512];

    /// <summary>The prefill budgets tried when none are given.</summary>
    public static IReadOnlyList<int> DefaultPrefillTokens { get; } = [2048, 8192];

    /// <summary>The decode batch limits tried when none are given.</summary>
    public static IReadOnlyList<int> DefaultDecodeBatches { get; } = [32, 128];
}
