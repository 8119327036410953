namespace Serving.Planning.Simulation;

/// <summary>Per-request outcomes of one simulation, in request order.</summary>
public sealed record SimulationResult(IReadOnlyList<RequestOutcome> Requests, double Makespan)
{
    /// <summary>Share of requests meeting every objective of <paramref name="slo"/> (1 when there are none).</summary>
    public double Attainment(Slo slo) =>
        Requests.Count == 0 ? 1 : (double)Requests.Count(slo.IsMetBy) / Requests.Count;

    /// <summary>Requests meeting <paramref name="slo"/> per second of the run.</summary>
    public double GoodRequestsPerSecond(Slo slo) =>
        Makespan <= 0 ? 0 : Requests.Count(slo.IsMetBy) / Makespan;

    /// <summary>Preemptions across all requests.</summary>
    public int Preemptions => Requests.Sum(r => r.Preemptions);
}
