using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Planning.Control;

/// <summary>What one re-planning round saw, predicted and decided.</summary>
/// <param name="Samples">Finished requests in the window.</param>
/// <param name="ObservedRate">Their arrival rate, requests per second.</param>
/// <param name="ObservedAttainment">Share of them that met the SLO.</param>
/// <param name="PrefillCorrection">The factor on the profile's prefill times under which the window's replay on the current configuration has the observed median TTFT (1 when not measured).</param>
/// <param name="DecodeCorrection">The same for decode step times and the observed median TPOT.</param>
/// <param name="PredictedAttainment">The corrected simulator's attainment for the same requests on the current configuration.</param>
/// <param name="Current">The current configuration's predicted goodput on the window's workload.</param>
/// <param name="Best">The best configuration found (the current one when nothing beats it).</param>
/// <param name="Switch">Whether to apply <see cref="Best"/>.</param>
/// <param name="Desired">
/// The best setup sized for the observed rate with headroom: how many workers of each role the load wants, for an
/// autoscaler to size the pools by (null when no setup meets the SLO at any rate: more of these workers would not help).
/// </param>
/// <param name="Reason">Why, in a sentence for the log.</param>
/// <param name="PrefixHitRate">The window's prefix hit rate (Σ cached ÷ Σ prompt tokens of its completed requests), which the planning workload has.</param>
public sealed record ControlDecision(
    int Samples,
    double ObservedRate,
    double ObservedAttainment,
    double PrefillCorrection,
    double DecodeCorrection,
    double PredictedAttainment,
    CandidatePlan? Current,
    CandidatePlan? Best,
    bool Switch,
    string Reason,
    ClusterConfig? Desired = null,
    double PrefixHitRate = 0)
{
    /// <summary>The configuration to run after this decision.</summary>
    public ClusterConfig? Target => Switch ? Best?.Config : Current?.Config;
}
