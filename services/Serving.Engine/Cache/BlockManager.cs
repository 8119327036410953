using Serving.Engine.Scheduling;
using Serving.Model.Caching;

namespace Serving.Engine.Cache;

/// <summary>
/// Owns the pool's block ids. Check/act pairs (<see cref="CanAllocate"/>/<see cref="Allocate"/>,
/// <see cref="CanAppend"/>/<see cref="Append"/>), reference counts, and automatic prefix caching: a full block's
/// hash is chained over all tokens before it, registered once its KV is written, and kept after release until
/// its block is evicted (least recently released first).
/// </summary>
internal sealed class BlockManager
{
    readonly KvBlock[] blocks;
    readonly LinkedList<int> free = new();
    readonly LinkedListNode<int>?[] freeNodes;
    readonly Dictionary<ulong, int> cached = [];

    public BlockManager(int numBlocks, int blockSize, bool enablePrefixCaching = true)
    {
        if (numBlocks < 1)
            throw new ArgumentOutOfRangeException(nameof(numBlocks), "the KV pool needs at least one block.");
        BlockSize = blockSize;
        PrefixCaching = enablePrefixCaching;
        // Room for a few pools' worth of churn between two reads (heartbeats), then a snapshot instead.
        Journal = new PrefixCacheJournal(maxPendingEvents: Math.Max(4096, 4 * numBlocks));
        blocks = new KvBlock[numBlocks];
        freeNodes = new LinkedListNode<int>?[numBlocks];
        for (var i = 0; i < numBlocks; i++)
        {
            blocks[i] = new KvBlock(i);
            freeNodes[i] = free.AddLast(i);
        }
    }

    public int BlockSize { get; }
    public bool PrefixCaching { get; }
    public int NumBlocks => blocks.Length;
    public int NumFreeBlocks => free.Count;
    public int NumCachedBlocks => cached.Count;

    /// <summary>The hashes of the cached blocks as others may learn them (added on commit, removed on eviction).</summary>
    public PrefixCacheJournal Journal { get; }

    /// <summary>Prefix-cache lookups made at admission (prompts and reserved imports), and the tokens they found cached.</summary>
    public long PrefixLookups { get; private set; }
    public long PrefixHitTokens { get; private set; }

    /// <summary>Prefix-cache hits: how many leading tokens of the sequence already have valid KV in the pool.</summary>
    public int CountCachedTokens(Sequence seq) => MatchPrefix(seq).Count * BlockSize;

    public bool CanAllocate(Sequence seq) => free.Count >= seq.NumBlocks(BlockSize) - CountLiveHits(seq);

    /// <summary>Gives the sequence blocks for all its tokens, reusing cached prefix blocks.</summary>
    public void Allocate(Sequence seq)
    {
        if (seq.BlockTable.Count != 0)
            throw new InvalidOperationException($"sequence {seq.RequestId} already holds blocks.");
        TakeHits(seq);
        seq.PrefillLength = seq.Length;
        seq.ScheduledEnd = seq.Length;
        TakeRest(seq);
    }

    /// <summary>
    /// Gives a sequence whose KV comes from elsewhere its blocks: the cached prefix it already has here, shared, then
    /// fresh blocks for the rest, which is all the transfer has to bring (from <see cref="Sequence.ImportFromBlock"/>).
    /// </summary>
    public void AllocateForImport(Sequence seq, bool reuseCachedPrefix = true)
    {
        if (seq.BlockTable.Count != 0)
            throw new InvalidOperationException($"sequence {seq.RequestId} already holds blocks.");
        if (reuseCachedPrefix)
            TakeHits(seq);
        seq.ImportFromBlock = seq.BlockTable.Count;
        seq.PrefillLength = seq.Length;
        seq.ScheduledEnd = seq.NumComputedTokens;
        TakeRest(seq);
    }

    // Fresh blocks for the tokens after whatever the sequence holds already.
    void TakeRest(Sequence seq)
    {
        for (var i = seq.BlockTable.Count; i < seq.NumBlocks(BlockSize); i++)
            seq.BlockTable.Add(TakeFree());
    }

    void TakeHits(Sequence seq)
    {
        var hits = MatchPrefix(seq);
        foreach (var id in hits)
            Acquire(id);
        seq.BlockTable.AddRange(hits);
        seq.NumCachedTokens = hits.Count * BlockSize;
        seq.NumComputedTokens = seq.NumCachedTokens;
        seq.NumHashedBlocks = hits.Count;
        seq.LastBlockHash = hits.Count == 0 ? 0 : blocks[hits[^1]].Hash!.Value;
        if (PrefixCaching)
        {
            PrefixLookups++;
            PrefixHitTokens += seq.NumCachedTokens;
        }
    }

    /// <summary>True when the sequence's next token fits: in its last block, or in one free block.</summary>
    public bool CanAppend(Sequence seq) => !NeedsNewBlock(seq) || free.Count >= 1;

    /// <summary>Makes room for the token at position Length - 1 (the one the next decode step writes).</summary>
    public void Append(Sequence seq)
    {
        if (NeedsNewBlock(seq))
            seq.BlockTable.Add(TakeFree());
    }

    /// <summary>Registers the hashes of the sequence's full blocks whose KV is now written (the first <paramref name="tokensWithKv"/> tokens).</summary>
    public void Commit(Sequence seq, int tokensWithKv)
    {
        if (!PrefixCaching)
            return;
        var fullBlocks = Math.Min(tokensWithKv / BlockSize, seq.BlockTable.Count);
        for (var i = seq.NumHashedBlocks; i < fullBlocks; i++)
        {
            var tokens = seq.BlockTokens(i, BlockSize);
            var hash = BlockHashes.Chain(seq.LastBlockHash, tokens);
            var block = blocks[seq.BlockTable[i]];
            if (block.Hash is null)
            {
                block.Hash = hash;
                block.TokenIds = tokens.ToArray();
                if (cached.TryAdd(hash, block.Id))
                    Journal.Added(hash);
            }
            seq.LastBlockHash = hash;
            seq.NumHashedBlocks = i + 1;
        }
    }

    /// <summary>Releases the sequence's blocks; cached ones stay reusable until evicted.</summary>
    public void Free(Sequence seq)
    {
        for (var i = seq.BlockTable.Count - 1; i >= 0; i--)
        {
            var block = blocks[seq.BlockTable[i]];
            if (--block.RefCount > 0)
                continue;
            // Uncached blocks are reused first; cached ones go to the back of the line, to be evicted last.
            freeNodes[block.Id] = block.Hash is null ? free.AddFirst(block.Id) : free.AddLast(block.Id);
        }
        seq.BlockTable.Clear();
        // NumCachedTokens stays: what the admission found is what the request's last output reports.
        seq.NumComputedTokens = 0;
        seq.ScheduledEnd = 0;
        seq.NumHashedBlocks = 0;
        seq.LastBlockHash = 0;
        seq.ImportFromBlock = 0;
    }

    bool NeedsNewBlock(Sequence seq) => seq.BlockTable.Count * BlockSize < seq.Length;

    List<int> MatchPrefix(Sequence seq)
    {
        var hits = new List<int>();
        if (!PrefixCaching)
            return hits;
        // At least the last prompt token must be computed, to produce logits.
        var eligible = (seq.Length - 1) / BlockSize;
        ulong hash = 0;
        for (var i = 0; i < eligible; i++)
        {
            var tokens = seq.BlockTokens(i, BlockSize);
            hash = BlockHashes.Chain(hash, tokens);
            if (!cached.TryGetValue(hash, out var id) || !tokens.SequenceEqual(blocks[id].TokenIds))
                break;
            hits.Add(id);
        }
        return hits;
    }

    int CountLiveHits(Sequence seq) => MatchPrefix(seq).Count(id => blocks[id].RefCount > 0);

    void Acquire(int id)
    {
        var block = blocks[id];
        if (block.RefCount++ == 0)
        {
            free.Remove(freeNodes[id]!);
            freeNodes[id] = null;
        }
    }

    int TakeFree()
    {
        var node = free.First ?? throw new InvalidOperationException("KV pool exhausted: no free block (check CanAllocate/CanAppend first).");
        free.RemoveFirst();
        var block = blocks[node.Value];
        freeNodes[block.Id] = null;
        if (block.Hash is { } h)
        {
            // Evict: this block's cached prefix is no longer reusable.
            if (cached.TryGetValue(h, out var owner) && owner == block.Id)
            {
                cached.Remove(h);
                Journal.Removed(h);
            }
            block.Hash = null;
            block.TokenIds = [];
        }
        block.RefCount = 1;
        return block.Id;
    }

}
