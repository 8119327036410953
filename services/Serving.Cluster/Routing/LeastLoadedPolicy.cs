namespace Serving.Cluster.Routing;

/// <summary>
/// The default: the worker with the fewest queued and running requests, then the most free KV blocks, then the one
/// given a request longest ago.
/// </summary>
public sealed class LeastLoadedPolicy : IAssignmentPolicy
{
    public string Name => "least-loaded";

    public WorkerState Choose(IReadOnlyList<WorkerState> candidates, RoutingPrompt prompt) =>
        ThenByLoad(candidates.OrderBy(w => w.Pending)).First();

    /// <summary>Least-loaded's order, after whatever <paramref name="ordered"/> ranks first (other policies break their ties by it).</summary>
    public static IOrderedEnumerable<WorkerState> ThenByLoad(IOrderedEnumerable<WorkerState> ordered) =>
        ordered
            .ThenBy(w => w.Pending)
            .ThenByDescending(w => w.Load.FreeBlocks)
            .ThenBy(w => w.LastAssigned)
            .ThenBy(w => w.Info.WorkerId, StringComparer.Ordinal);
}
