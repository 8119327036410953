using Serving.Planning.Simulation;

namespace Serving.Host.Simulating;

/// <summary>
/// Attainment and latency percentiles (ms, linear interpolation as numpy and the load tester compute them) of one run,
/// simulated or measured; percentiles are over completed requests and null when none completed.
/// </summary>
internal sealed record LatencySummary(
    int Requests,
    int Failed,
    double Attainment,
    double? TtftP50Ms,
    double? TtftP90Ms,
    double? TpotP50Ms,
    double? TpotP90Ms,
    double? MaxItlP90Ms)
{
    public static LatencySummary Of(IReadOnlyList<RequestOutcome> outcomes, Slo slo)
    {
        var done = outcomes.Where(o => o.Completed).ToList();
        double? P(Func<RequestOutcome, double> value, double q) => done.Count == 0 ? null : Percentile(done.Select(o => value(o) * 1000).ToList(), q);
        // A single-token request has no TPOT (as in `vllm bench serve`): it is left out of the TPOT percentiles.
        var tpots = done.Where(o => o.OutputTokens > 1).Select(o => o.Tpot * 1000).ToList();
        return new LatencySummary(
            outcomes.Count,
            outcomes.Count - done.Count,
            outcomes.Count == 0 ? 1 : (double)outcomes.Count(slo.IsMetBy) / outcomes.Count,
            P(o => o.Ttft, 50),
            P(o => o.Ttft, 90),
            tpots.Count == 0 ? null : Percentile(tpots, 50),
            tpots.Count == 0 ? null : Percentile(tpots, 90),
            P(o => o.MaxItl, 90));
    }

    /// <summary>The <paramref name="q"/>-th percentile (0..100) by linear interpolation between the closest ranks.</summary>
    public static double Percentile(List<double> values, double q)
    {
        values.Sort();
        var rank = q / 100 * (values.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, values.Count - 1);
        return values[low] + (values[high] - values[low]) * (rank - low);
    }
}
