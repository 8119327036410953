using Serving.Contracts;

namespace Serving.Cluster.Routing;

/// <summary>
/// Prefers the worker that already holds the prompt's prefix, against its load, as Dynamo's KV-aware router does: the
/// lowest <c>cacheWeight × uncached tokens + queueWeight × queued prefill tokens + kvWeight × KV tokens</c> wins. The
/// queued prefill tokens are the prompt tokens waiting to be computed there (and those assigned since its last
/// report): a new prompt waits for them as it would for its own uncached tokens, so their weight is 1. The KV tokens
/// are what the running requests of a worker that decodes hold: they slow its steps, but far less than moving a
/// conversation's history costs, so their default weight is 1/20 (at 1, 1/4 and 1/10, a conversation's next turn
/// still moved to another decode worker whenever its own had just gone busy and the other idle — closed-loop
/// conversations finish in waves — and its whole history was computed and sent again: `docs/benchmarks.md`). A
/// worker whose free KV blocks cannot hold what the request adds comes last: it would make the request wait. When
/// every candidate holds as much of the prompt as the others (none of it, most often), the cache decides nothing and
/// the choice is <see cref="LeastLoadedPolicy"/>'s: fewest pending requests balances decode batches better than KV
/// tokens do (goodput without shared prefixes fell to 0.73-0.81x least-loaded's when the KV tokens decided:
/// `docs/benchmarks.md`).
/// </summary>
public sealed class PrefixAwarePolicy(double cacheWeight = 1.0, double queueWeight = 1.0, double kvWeight = 0.05) : IAssignmentPolicy
{
    public string Name => AssignmentPolicies.PrefixAware;

    public bool WeighsCache => true;

    readonly LeastLoadedPolicy leastLoaded = new();

    public WorkerState Choose(IReadOnlyList<WorkerState> candidates, RoutingPrompt prompt) =>
        candidates.Select(prompt.CachedTokens).Distinct().Count() <= 1 && candidates.All(w => Fits(w, prompt.UncachedTokens(w), Math.Max(1, w.Info.KvBlockSize)))
            ? leastLoaded.Choose(candidates, prompt)
            : LeastLoadedPolicy.ThenByLoad(candidates.OrderBy(w => Cost(w, prompt))).First();

    public double Cost(WorkerState worker, RoutingPrompt prompt)
    {
        var blockSize = Math.Max(1, worker.Info.KvBlockSize);
        var uncached = prompt.UncachedTokens(worker);
        var kv = worker.Info.Role == WorkerRole.Prefill ? 0 : (long)worker.Load.UsedBlocks * blockSize + worker.AssignedKvTokensSinceReport;
        var cost = cacheWeight * uncached + queueWeight * (worker.Load.PrefillTokens + worker.AssignedPrefillTokensSinceReport) + kvWeight * kv;
        return Fits(worker, uncached, blockSize) ? cost : Full + cost;
    }

    // Blocks the worker has free (cached ones nobody uses count: they are evicted on demand), less what requests sent
    // since its last report will take, against the blocks this one adds.
    static bool Fits(WorkerState w, int uncached, int blockSize) =>
        w.Load.TotalBlocks == 0 || w.Load.FreeBlocks - w.AssignedKvTokensSinceReport / blockSize >= (uncached + blockSize - 1) / blockSize;

    // Past any cost a worker with room can have: such a worker is chosen only when none has room.
    const double Full = 1e12;
}
