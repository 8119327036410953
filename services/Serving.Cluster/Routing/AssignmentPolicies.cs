namespace Serving.Cluster.Routing;

/// <summary>The assignment policies by name.</summary>
public static class AssignmentPolicies
{
    public const string PrefixAware = "prefix-aware";

    /// <summary>prefix-aware: it won issue 19's benchmark (`docs/benchmarks.md`), and where no worker holds more of a prompt than another it chooses as least-loaded does.</summary>
    public const string Default = PrefixAware;

    public static IAssignmentPolicy Create(string name, RoutingOptions? options = null) => name switch
    {
        "least-loaded" => new LeastLoadedPolicy(),
        "round-robin" => new RoundRobinPolicy(),
        PrefixAware => new PrefixAwarePolicy(options?.PrefixCacheWeight ?? 1.0, options?.PrefixQueueWeight ?? 1.0, options?.PrefixKvWeight ?? 0.05),
        _ => throw new ArgumentException($"unknown assignment policy '{name}' (use prefix-aware, least-loaded or round-robin)."),
    };
}
