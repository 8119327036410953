namespace Serving.Engine.Cache;

/// <summary>
/// What a pool's prefix cache holds, as others may learn it: the hashes of its cached blocks, and the blocks added and
/// evicted since the last <see cref="Take"/>. The engine thread records; any thread reads (a worker's heartbeat
/// publishes it to the router). Events beyond a bound are dropped for a snapshot instead, so a reader that stops
/// reading costs memory of the pool's size, not of its history.
/// </summary>
public sealed class PrefixCacheJournal(int maxPendingEvents)
{
    readonly object gate = new();
    readonly HashSet<ulong> held = [];
    List<ulong> added = [];
    List<ulong> removed = [];
    bool overflowed;

    /// <summary>Identifies this pool's history: a reader that saw another epoch must start from a snapshot.</summary>
    public long Epoch { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    internal void Added(ulong hash) => Record(hash, add: true);

    internal void Removed(ulong hash) => Record(hash, add: false);

    void Record(ulong hash, bool add)
    {
        lock (gate)
        {
            if ((add ? !held.Add(hash) : !held.Remove(hash)) || overflowed)
                return;
            (add ? added : removed).Add(hash);
            if (added.Count + removed.Count > maxPendingEvents)
            {
                overflowed = true;
                added = [];
                removed = [];
            }
        }
    }

    /// <summary>
    /// The changes since the last take (they are consumed), or the whole set when <paramref name="snapshot"/> is asked
    /// for or the events overflowed.
    /// </summary>
    public PrefixCacheChanges Take(bool snapshot)
    {
        lock (gate)
        {
            var full = snapshot || overflowed;
            var changes = full
                ? new PrefixCacheChanges(Epoch, [.. held], [], Snapshot: true)
                : new PrefixCacheChanges(Epoch, [.. added], [.. removed], Snapshot: false);
            added.Clear();
            removed.Clear();
            overflowed = false;
            return changes;
        }
    }
}

/// <summary>Block hashes a pool's cache gained and lost since the last take; with <paramref name="Snapshot"/>, <paramref name="Added"/> is everything it holds.</summary>
public sealed record PrefixCacheChanges(long Epoch, ulong[] Added, ulong[] Removed, bool Snapshot);
