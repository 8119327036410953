namespace Serving.Planning.Planner;

/// <summary>Every candidate, best first (by goodput; ties keep the search order).</summary>
public sealed record Plan(PlanRequest Request, IReadOnlyList<CandidatePlan> Candidates)
{
    /// <summary>The candidate with the highest predicted goodput.</summary>
    public CandidatePlan Best => Candidates[0];
}
