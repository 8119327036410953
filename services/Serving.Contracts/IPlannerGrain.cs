namespace Serving.Contracts;

/// <summary>
/// The cluster's runtime planner (one, key 0): collects what gateways observe, re-plans periodically against the
/// workers' profile, and applies a better setup by draining workers and switching their roles and layer groups.
/// </summary>
public interface IPlannerGrain : IGrainWithIntegerKey
{
    /// <summary>Adds finished requests to the window (gateways report every second).</summary>
    Task Record(RequestObservation[] requests);

    /// <summary>Runs one re-planning round now (hysteresis and the minimum interval still apply) and returns the status after it.</summary>
    [ResponseTimeout("00:05:00")]
    Task<PlannerStatus> ReplanNow();

    /// <summary>Moves the live workers to <paramref name="setup"/>: each switching worker is drained first, then switched.</summary>
    [ResponseTimeout("00:05:00")]
    Task Apply(ClusterSetup setup);

    Task<PlannerStatus> Status();
}
