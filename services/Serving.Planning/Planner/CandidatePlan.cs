using Serving.Planning.Simulation;

namespace Serving.Planning.Planner;

/// <summary>One searched configuration: the highest rate (req/s) at which it met the target, and its attainment there.</summary>
public sealed record CandidatePlan(ClusterConfig Config, double Goodput, double Attainment)
{
    /// <summary>Goodput divided by the workers it takes.</summary>
    public double GoodputPerWorker => Goodput / Config.Workers;
}
