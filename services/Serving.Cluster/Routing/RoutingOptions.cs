namespace Serving.Cluster.Routing;

public sealed record RoutingOptions
{
    public string Policy { get; init; } = AssignmentPolicies.Default;

    /// <summary>A worker that has not reported for this long is taken out of routing.</summary>
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
