using Serving.Planning.Simulation;

namespace Serving.Host.Simulating;

/// <summary>What `serving simulate` runs: a configuration of workers, the SLO, and either rates of a synthetic workload or a load-test result.</summary>
/// <param name="Shape">Prefill, decode and mixed workers, e.g. (1, 1, 0) for <c>1P+1D</c>.</param>
/// <param name="PrefillChunkTokens">C &gt; 0: chunked prefill on decode and mixed workers instead of layered; 0 = off.</param>
/// <param name="KvCacheMb">KV cache per worker in MiB, turned into tokens with the profile's bytes per token.</param>
/// <param name="Slo">The SLO; null takes the result's (only with <paramref name="FromResult"/>).</param>
/// <param name="Workload">The synthetic workload; with <paramref name="FromResult"/> only its prefix hit rate counts.</param>
/// <param name="Rates">Rates of the synthetic workload, or null with <paramref name="FromResult"/>.</param>
/// <param name="FromResult">A load tester's result.json whose runs are simulated request by request.</param>
/// <param name="OutPath">Where to write the JSON report (null: none).</param>
internal sealed record SimulateSettings(
    string ProfilePath,
    (int Prefill, int Decode, int Mixed) Shape,
    int LayerGroups,
    int PrefillChunkTokens,
    int ShortPromptThreshold,
    int MaxBatchedPrefillTokens,
    int MaxDecodeBatch,
    double KvCacheMb,
    Slo? Slo,
    WorkloadSpec Workload,
    double Target,
    int Requests,
    int Seed,
    IReadOnlyList<double>? Rates,
    string? FromResult,
    string? OutPath)
{
    /// <summary>Share of every simulated request's prompt served from a prefix cache (<c>--prefix-hit-rate</c>), synthetic or replayed.</summary>
    public double PrefixHitRate => Workload.PrefixHitRate;
}
