using Serving.Model.Caching;

namespace Serving.Cluster.Routing;

/// <summary>
/// A request as routing sees it: its length, and — when its tokens are known — how many of its leading tokens each
/// worker's prefix cache holds, by the block hashes the worker last published (a guess that may be stale: a wrong one
/// costs a recompute or a fuller transfer, never a wrong token).
/// </summary>
public sealed class RoutingPrompt
{
    readonly IReadOnlyList<int>? tokens;
    readonly Dictionary<int, ulong[]> hashesByBlockSize = [];
    readonly Dictionary<WorkerState, int> cached = [];

    public RoutingPrompt(int tokenCount) => Tokens = tokenCount;

    public RoutingPrompt(IReadOnlyList<int> tokens)
    {
        this.tokens = tokens;
        Tokens = tokens.Count;
    }

    public int Tokens { get; }

    /// <summary>Leading tokens whose KV the worker's prefix cache holds, as far as the router knows (0 when the tokens are not known).</summary>
    public int CachedTokens(WorkerState worker)
    {
        if (tokens is null || worker.CachedBlocks.Count == 0)
            return 0;
        if (cached.TryGetValue(worker, out var known))
            return known;
        var blockSize = Math.Max(1, worker.Info.KvBlockSize);
        if (!hashesByBlockSize.TryGetValue(blockSize, out var hashes))
            hashesByBlockSize[blockSize] = hashes = BlockHashes.OfPrompt(tokens, blockSize);
        var blocks = 0;
        while (blocks < hashes.Length && worker.CachedBlocks.Contains(hashes[blocks]))
            blocks++;
        return cached[worker] = blocks * blockSize;
    }

    /// <summary>Tokens the worker would have to compute or receive.</summary>
    public int UncachedTokens(WorkerState worker) => Tokens - CachedTokens(worker);
}
