using Serving.Planning.Simulation;

namespace Serving.Planning.Planner;

/// <summary>What to plan for: a cluster size, SLOs, a workload shape and how to search.</summary>
/// <param name="Workers">N: workers to place.</param>
/// <param name="Slo">TTFT and TPOT objectives.</param>
/// <param name="Workload">Prompt and output length distributions.</param>
/// <param name="AttainmentTarget">Share of requests that must meet the SLO (DistServe uses 0.9).</param>
/// <param name="RequestCount">Requests per simulation; more is steadier and slower.</param>
/// <param name="Seed">Seed of the simulated workload (the same for every candidate and rate).</param>
/// <param name="Space">The candidate grid.</param>
public sealed record PlanRequest(
    int Workers,
    Slo Slo,
    WorkloadSpec Workload,
    double AttainmentTarget = 0.9,
    int RequestCount = 300,
    int Seed = 1,
    SearchSpace? Space = null);
