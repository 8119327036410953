namespace Serving.Cluster.Routing;

public sealed record RoutingOptions
{
    public string Policy { get; init; } = AssignmentPolicies.Default;

    /// <summary>A worker that has not reported for this long is taken out of routing.</summary>
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a newly activated router waits for the workers' heartbeats before it refuses a request for want of
    /// workers (several heartbeat intervals).
    /// </summary>
    public TimeSpan LearningPeriod { get; init; } = TimeSpan.FromSeconds(1.5);
}
