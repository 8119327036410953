namespace Serving.Contracts;

/// <summary>The planner's view: what runs, what the last round saw and predicted, and how often it acted.</summary>
/// <param name="Enabled">Whether it re-plans (it needs a profile); it records observations either way.</param>
/// <param name="Current">The setup the live workers run (null before any worker reported).</param>
/// <param name="Label">The setup as people read it, e.g. <c>1P+1D</c> or <c>2M G4</c>.</param>
/// <param name="Samples">Finished requests in the last round's window (before any round: in the window now).</param>
/// <param name="ObservedRate">Their arrival rate, req/s (as Samples).</param>
/// <param name="ObservedAttainment">Share of them meeting the SLO (as Samples), to compare with PredictedAttainment.</param>
/// <param name="PredictedAttainment">The corrected simulator's attainment for the same requests (NaN before a round).</param>
/// <param name="PredictedGoodput">The current setup's predicted goodput on the window's workload (NaN before a round).</param>
/// <param name="BestGoodput">The best setup's predicted goodput (NaN before a round).</param>
/// <param name="PrefillCorrection">The factor on profiled prefill times that reproduces the observed median TTFT.</param>
/// <param name="DecodeCorrection">The same for decode steps and the observed median TPOT.</param>
/// <param name="Rounds">Re-planning rounds run.</param>
/// <param name="Changes">Setups applied.</param>
/// <param name="RoleSwitches">Workers moved from one role to another.</param>
/// <param name="LastDecision">The last round's reason, as logged.</param>
/// <param name="Desired">The best setup sized for the observed load: workers per role an autoscaler should run (null before a round, or when no setup meets the SLO).</param>
[GenerateSerializer, Immutable]
public sealed record PlannerStatus(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] ClusterSetup? Current,
    [property: Id(2)] string Label,
    [property: Id(3)] int Samples,
    [property: Id(4)] double ObservedRate,
    [property: Id(5)] double ObservedAttainment,
    [property: Id(6)] double PredictedAttainment,
    [property: Id(7)] double PredictedGoodput,
    [property: Id(8)] double BestGoodput,
    [property: Id(9)] double PrefillCorrection,
    [property: Id(10)] double DecodeCorrection,
    [property: Id(11)] int Rounds,
    [property: Id(12)] int Changes,
    [property: Id(13)] int RoleSwitches,
    [property: Id(14)] string LastDecision,
    [property: Id(15)] ClusterSetup? Desired = null);
