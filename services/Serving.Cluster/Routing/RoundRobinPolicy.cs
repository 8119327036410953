namespace Serving.Cluster.Routing;

/// <summary>The baseline: each worker in turn, whatever its load.</summary>
public sealed class RoundRobinPolicy : IAssignmentPolicy
{
    int next;

    public string Name => "round-robin";

    public WorkerState Choose(IReadOnlyList<WorkerState> candidates, RoutingPrompt prompt) =>
        candidates[(int)((uint)Interlocked.Increment(ref next) % (uint)candidates.Count)];
}
