using Serving.Planning.Simulation;

namespace Serving.Planning.Planner;

/// <summary>Expands a <see cref="SearchSpace"/> into cluster configurations, skipping knobs that cannot matter.</summary>
internal static class CandidateEnumerator
{
    public static IReadOnlyList<ClusterConfig> Enumerate(int workers, int layers, SearchSpace space)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        var groups = (space.LayerGroups ?? PowersOfTwo(layers)).Where(g => g >= 1 && g <= Math.Max(1, layers)).Distinct().ToArray();
        var thresholds = (space.ShortPromptThresholds ?? SearchSpace.DefaultThresholds).Distinct().ToArray();
        var prefillTokens = (space.MaxBatchedPrefillTokens ?? SearchSpace.DefaultPrefillTokens).Distinct().ToArray();
        var decodeBatches = (space.MaxDecodeBatches ?? SearchSpace.DefaultDecodeBatches).Distinct().ToArray();

        var splits = new List<(int P, int D, int M)>();
        if (space.Disaggregated)
            for (var p = 1; p < workers; p++) splits.Add((p, workers - p, 0));
        if (space.Colocated) splits.Add((0, 0, workers));

        var result = new List<ClusterConfig>();
        foreach (var (p, d, m) in splits)
        {
            foreach (var threshold in p > 0 ? thresholds : [0])
            {
                // G only shapes local prefills: none happen when every prompt goes to the prefill pool.
                var localPrefill = p == 0 || threshold > 0;
                foreach (var g in localPrefill ? groups : [1])
                    foreach (var tokens in prefillTokens)
                        foreach (var batch in decodeBatches)
                            result.Add(new ClusterConfig(p, d, m, g, threshold, tokens, batch, space.KvCapacityTokens));
            }
        }
        return result;
    }

    private static int[] PowersOfTwo(int layers)
    {
        var values = new List<int>();
        for (var g = 1; g <= Math.Max(1, layers); g *= 2) values.Add(g);
        return [.. values];
    }
}
