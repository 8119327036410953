namespace Serving.Cluster.Routing;

/// <summary>The assignment policies by name.</summary>
public static class AssignmentPolicies
{
    public const string Default = "least-loaded";
    public const string PrefixAware = "prefix-aware";

    public static IAssignmentPolicy Create(string name, RoutingOptions? options = null) => name switch
    {
        "least-loaded" => new LeastLoadedPolicy(),
        "round-robin" => new RoundRobinPolicy(),
        PrefixAware => new PrefixAwarePolicy(options?.PrefixCacheWeight ?? 1.0, options?.PrefixQueueWeight ?? 1.0, options?.PrefixKvWeight ?? 0.05),
        _ => throw new ArgumentException($"unknown assignment policy '{name}' (use prefix-aware, least-loaded or round-robin)."),
    };
}
