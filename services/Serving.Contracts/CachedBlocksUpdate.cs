namespace Serving.Contracts;

/// <summary>
/// What a worker's prefix cache gained and lost since its last update (chained block hashes, full blocks only), or
/// with <paramref name="Snapshot"/> everything it holds. The router keeps one index per worker from these; the
/// <paramref name="Epoch"/> names the engine's pool, so an index of a restarted engine starts again from a snapshot.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CachedBlocksUpdate(
    [property: Id(0)] long Epoch,
    [property: Id(1)] ulong[] Added,
    [property: Id(2)] ulong[] Removed,
    [property: Id(3)] bool Snapshot);
