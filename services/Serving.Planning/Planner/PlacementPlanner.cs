using Serving.Planning.Model;
using Serving.Planning.Simulation;

namespace Serving.Planning.Planner;

/// <summary>Searches cluster configurations for the highest simulated goodput (DistServe-style placement search).</summary>
public static class PlacementPlanner
{
    /// <summary>
    /// Simulates every candidate of <paramref name="request"/>'s search space, binary-searching each one's goodput,
    /// and returns them ranked. Candidates run in parallel; the result does not depend on scheduling.
    /// </summary>
    public static Plan Plan(PlanRequest request, WorkerProfile profile, int? maxParallelism = null)
    {
        var space = request.Space ?? new SearchSpace();
        var candidates = CandidateEnumerator.Enumerate(request.Workers, profile.Layers, space);
        var unitWorkload = UnitWorkload(request);
        var results = new CandidatePlan[candidates.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxParallelism ?? Environment.ProcessorCount };
        Parallel.For(0, candidates.Count, options, i => results[i] = Evaluate(candidates[i], profile, unitWorkload, request));
        // OrderBy is stable: ties keep enumeration order, so the ranking is deterministic.
        return new Plan(request, results.OrderByDescending(c => c.Goodput).ToArray());
    }

    /// <summary>Goodput and attainment of one configuration for <paramref name="request"/>'s workload and SLO.</summary>
    public static CandidatePlan Evaluate(ClusterConfig config, WorkerProfile profile, PlanRequest request) =>
        Evaluate(config, profile, UnitWorkload(request), request);

    // Every rate simulates a prefix of one sequence drawn at rate 1: the same requests, closer together, and more of them at higher rates.
    private static IReadOnlyList<SimRequest> UnitWorkload(PlanRequest request) =>
        WorkloadGenerator.Generate(request.Workload, Math.Max(request.MaxRequests, request.RequestCount), request.Seed);

    private static CandidatePlan Evaluate(ClusterConfig config, WorkerProfile profile, IReadOnlyList<SimRequest> unitWorkload, PlanRequest request)
    {
        var probe = ProbeFunction(config, profile, unitWorkload, request);
        var (rate, attainment) = GoodputSearch.HighestRate(r =>
        {
            var (attained, keptUp) = probe(r);
            return (attained, attained >= request.AttainmentTarget && keptUp);
        });
        return new CandidatePlan(config, rate, attainment);
    }

    /// <summary>Simulated attainment of one configuration at each of <paramref name="rates"/>, on the loads the search judges (for plots).</summary>
    public static double[] AttainmentAt(ClusterConfig config, WorkerProfile profile, PlanRequest request, IReadOnlyList<double> rates)
    {
        var probe = ProbeFunction(config, profile, UnitWorkload(request), request);
        return [.. rates.Select(r => probe(r).Attainment)];
    }

    /// <summary>
    /// One simulated probe at a rate: its attainment, and whether the cluster kept up (<see cref="KeptUp"/>, the rule
    /// the load tester applies to a real server), so a simulated goodput and a measured one mean the same thing.
    /// </summary>
    private static Func<double, (double Attainment, bool KeptUp)> ProbeFunction(ClusterConfig config, WorkerProfile profile, IReadOnlyList<SimRequest> unitWorkload, PlanRequest request)
    {
        var seconds = request.SimulatedSeconds(unitWorkload.Take(request.RequestCount).Average(r => (double)r.OutputTokens));
        return r =>
        {
            var arrivals = WorkloadGenerator.AtRate(unitWorkload.Take(request.RequestsAt(r, seconds)).ToArray(), r);
            var result = Simulator.Run(config, profile, arrivals);
            return (result.Attainment(request.Slo), SustainedIn(arrivals, result));
        };
    }

    // Seconds throughout; the least TTFT rise counted as a queue is the load tester's 50 ms.
    private static bool SustainedIn(IReadOnlyList<SimRequest> arrivals, SimulationResult result) =>
        KeptUp.Judge([.. result.Requests.Where(o => o.Completed).Select(o =>
            new KeptUp.Request(arrivals[o.Id].ArrivalTime, arrivals[o.Id].ArrivalTime + o.E2e, o.Ttft, o.E2e))], 0.05).Passed;
}
