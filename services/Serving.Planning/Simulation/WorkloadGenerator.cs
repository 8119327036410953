namespace Serving.Planning.Simulation;

/// <summary>Draws seeded workloads with Poisson arrivals.</summary>
public static class WorkloadGenerator
{
    /// <summary>
    /// <paramref name="count"/> requests at <paramref name="rate"/> requests per second. The same seed gives the same lengths
    /// and the same arrival pattern at every rate (arrivals are drawn at rate 1 and scaled), so attainment moves smoothly with rate.
    /// </summary>
    public static IReadOnlyList<SimRequest> Generate(WorkloadSpec spec, double rate, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        return AtRate(Generate(spec, count, seed), rate);
    }

    /// <summary>Requests at rate 1 (the unit pattern <see cref="AtRate"/> scales).</summary>
    public static IReadOnlyList<SimRequest> Generate(WorkloadSpec spec, int count, int seed)
    {
        CheckHitRate(spec.PrefixHitRate);
        var random = new Random(seed);
        var requests = new SimRequest[count];
        var time = 0.0;
        for (var i = 0; i < count; i++)
        {
            time += -Math.Log(1 - random.NextDouble());
            var prompt = spec.Prompt.Sample(random);
            requests[i] = new SimRequest(i, time, prompt, spec.Output.Sample(random), CachedTokens(prompt, spec.PrefixHitRate));
        }
        return requests;
    }

    /// <summary>The same requests with arrival times divided by <paramref name="rate"/>.</summary>
    public static IReadOnlyList<SimRequest> AtRate(IReadOnlyList<SimRequest> unitRate, double rate) =>
        unitRate.Select(r => r with { ArrivalTime = r.ArrivalTime / rate }).ToArray();

    /// <summary>The same requests with ⌊<paramref name="hitRate"/> × prompt⌋ prompt tokens cached each (e.g. a load test's requests replayed).</summary>
    public static IReadOnlyList<SimRequest> WithPrefixHitRate(IReadOnlyList<SimRequest> requests, double hitRate)
    {
        CheckHitRate(hitRate);
        return [.. requests.Select(r => r with { CachedTokens = CachedTokens(r.PromptTokens, hitRate) })];
    }

    // The same share of every prompt rather than a draw per request: no draws, so a seed gives the same lengths and
    // arrivals at any hit rate, and 0 gives exactly the requests of a workload without one. The epsilon keeps
    // 0.3 × 1000 at 300 in binary floating point.
    private static int CachedTokens(int prompt, double hitRate) => (int)Math.Floor(hitRate * prompt + 1e-9);

    private static void CheckHitRate(double hitRate)
    {
        if (!(hitRate >= 0 && hitRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(hitRate), hitRate, "A prefix hit rate is a share of prompt tokens, 0..1.");
    }
}
