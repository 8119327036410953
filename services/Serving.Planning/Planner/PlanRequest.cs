using Serving.Planning.Simulation;

namespace Serving.Planning.Planner;

/// <summary>What to plan for: a cluster size, SLOs, a workload shape and how to search.</summary>
/// <param name="Workers">N: workers to place.</param>
/// <param name="Slo">TTFT and TPOT objectives.</param>
/// <param name="Workload">Prompt and output length distributions.</param>
/// <param name="AttainmentTarget">Share of requests that must meet the SLO (DistServe uses 0.9).</param>
/// <param name="RequestCount">Fewest requests per simulation; more is steadier and slower.</param>
/// <param name="Seed">Seed of the simulated workload (the same for every candidate and rate).</param>
/// <param name="Space">The candidate grid.</param>
/// <param name="MinSimulatedSeconds">
/// Shortest span of arrivals a rate is judged on (default: 5 × the longest SLO-meeting request, TTFT + mean output × TPOT),
/// so a high rate is a sustained load rather than one burst that drains within the SLO. Higher rates simulate more requests.
/// </param>
/// <param name="MaxRequests">Most requests per simulation: rates beyond MaxRequests ÷ MinSimulatedSeconds are judged on a shorter span.</param>
public sealed record PlanRequest(
    int Workers,
    Slo Slo,
    WorkloadSpec Workload,
    double AttainmentTarget = 0.9,
    int RequestCount = 300,
    int Seed = 1,
    SearchSpace? Space = null,
    double? MinSimulatedSeconds = null,
    int MaxRequests = 3000)
{
    /// <summary>The span of arrivals each rate is judged on, in seconds (0 when the SLO is unbounded).</summary>
    public double SimulatedSeconds(double meanOutputTokens)
    {
        if (MinSimulatedSeconds is { } given) return given;
        var longest = Slo.TtftSeconds + meanOutputTokens * Slo.TpotSeconds;
        return double.IsFinite(longest) ? 5 * longest : 0;
    }

    /// <summary>Requests to simulate at <paramref name="rate"/>: enough to span <see cref="SimulatedSeconds"/>, within [RequestCount, MaxRequests].</summary>
    public int RequestsAt(double rate, double simulatedSeconds) =>
        (int)Math.Min(Math.Max(MaxRequests, RequestCount), Math.Max(RequestCount, Math.Ceiling(rate * simulatedSeconds)));
}
