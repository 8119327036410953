using Serving.Contracts;

namespace Serving.Cluster.Routing;

/// <summary>
/// Prefers the worker that already holds the prompt's prefix, against its load, as Dynamo's KV-aware router does: the
/// lowest <c>cacheWeight × uncached tokens + loadWeight × load tokens</c> wins. A worker's load in tokens is the
/// prefill work queued there (prompt tokens not yet computed, and those assigned since its last report), plus, for a
/// worker that decodes, the tokens its running requests hold in KV. Ties go as in <see cref="LeastLoadedPolicy"/>.
/// </summary>
public sealed class PrefixAwarePolicy(double cacheWeight = 1.0, double loadWeight = 1.0) : IAssignmentPolicy
{
    public string Name => AssignmentPolicies.PrefixAware;

    public bool WeighsCache => true;

    public WorkerState Choose(IReadOnlyList<WorkerState> candidates, RoutingPrompt prompt) =>
        candidates
            .OrderBy(w => Cost(w, prompt))
            .ThenBy(w => w.Pending)
            .ThenByDescending(w => w.Load.FreeBlocks)
            .ThenBy(w => w.LastAssigned)
            .ThenBy(w => w.Info.WorkerId, StringComparer.Ordinal)
            .First();

    public double Cost(WorkerState worker, RoutingPrompt prompt) =>
        cacheWeight * prompt.UncachedTokens(worker) + loadWeight * LoadTokens(worker);

    static long LoadTokens(WorkerState w)
    {
        var queued = w.Load.PrefillTokens + w.AssignedTokensSinceReport;
        return w.Info.Role == WorkerRole.Prefill ? queued : queued + (long)w.Load.UsedBlocks * Math.Max(1, w.Info.KvBlockSize);
    }
}
