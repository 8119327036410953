using Serving.Contracts;

namespace Serving.Cluster.Routing;

/// <summary>
/// Prefers the worker that already holds the prompt's prefix, against its load, as Dynamo's KV-aware router does: the
/// lowest <c>cacheWeight × uncached tokens + queueWeight × queued prefill tokens + kvWeight × KV tokens</c> wins. The
/// queued prefill tokens are the prompt tokens waiting to be computed there (and those assigned since its last
/// report): a new prompt waits for them as it would for its own uncached tokens, so their weight is 1. The KV tokens
/// are what the running requests of a worker that decodes hold: they slow its steps, but far less than moving a
/// conversation's history costs, so their default weight is 1/4 (at 1, conversations moved between decode workers
/// whenever their batches drifted a conversation apart: `docs/benchmarks.md`). Ties go as in <see cref="LeastLoadedPolicy"/>.
/// </summary>
public sealed class PrefixAwarePolicy(double cacheWeight = 1.0, double queueWeight = 1.0, double kvWeight = 0.25) : IAssignmentPolicy
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

    public double Cost(WorkerState worker, RoutingPrompt prompt)
    {
        var kv = worker.Info.Role == WorkerRole.Prefill ? 0 : (long)worker.Load.UsedBlocks * Math.Max(1, worker.Info.KvBlockSize) + worker.AssignedKvTokensSinceReport;
        return cacheWeight * prompt.UncachedTokens(worker) + queueWeight * (worker.Load.PrefillTokens + worker.AssignedPrefillTokensSinceReport) + kvWeight * kv;
    }
}
