using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Planning.Control;

/// <summary>How the runtime planner decides; every value has a default a small cluster can start with.</summary>
/// <param name="Slo">The objectives goodput counts against.</param>
/// <param name="AttainmentTarget">Share of requests that must meet the SLO (DistServe's 90%).</param>
/// <param name="Hysteresis">A new configuration must promise this much more goodput than the current one (0.15 = 15%).</param>
/// <param name="MinSamples">Finished requests the window must hold before any decision.</param>
/// <param name="PlanRequests">Requests per simulation while planning (more is steadier and slower).</param>
/// <param name="Space">The knobs searched. Batch limits and KV capacity are those the workers run with.</param>
/// <param name="Seed">Seed of the simulated workloads.</param>
/// <param name="MaxParallelism">Cores the search may use (it runs beside serving).</param>
/// <param name="ScaleHeadroom">The worker counts the planner asks for (for an autoscaler) serve the observed rate plus this share (0.2 = 20%).</param>
public sealed record ControlSettings(
    Slo Slo,
    double AttainmentTarget = 0.9,
    double Hysteresis = 0.15,
    int MinSamples = 30,
    int PlanRequests = 200,
    SearchSpace? Space = null,
    int Seed = 1,
    int MaxParallelism = 1,
    double ScaleHeadroom = 0.2)
{
    /// <summary>Corrections are clamped to [1/MaxCorrection, MaxCorrection]: a wild ratio means a stale window, not a 10× slower device.</summary>
    public const double MaxCorrection = 4;
}
