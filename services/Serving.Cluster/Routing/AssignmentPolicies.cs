namespace Serving.Cluster.Routing;

/// <summary>The assignment policies by name.</summary>
public static class AssignmentPolicies
{
    public const string Default = "least-loaded";

    public static IAssignmentPolicy Create(string name) => name switch
    {
        "least-loaded" => new LeastLoadedPolicy(),
        "round-robin" => new RoundRobinPolicy(),
        _ => throw new ArgumentException($"unknown assignment policy '{name}' (use least-loaded or round-robin)."),
    };
}
