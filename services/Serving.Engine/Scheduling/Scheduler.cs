using Serving.Engine.Cache;

namespace Serving.Engine.Scheduling;

/// <summary>
/// Continuous batching over one running list, in admission order. Each iteration first keeps every decoding
/// sequence going (preempting the most recently admitted by recompute when blocks run out), then spends the
/// <see cref="PrefillMode"/>'s token budget on prompts: partly prefilled ones first, then waiting ones. A prompt is
/// simply a running sequence whose computed tokens trail its length.
/// </summary>
internal sealed class Scheduler(SchedulerOptions options, BlockManager blocks)
{
    readonly LinkedList<Sequence> waiting = new();
    readonly List<Sequence> running = [];

    public BlockManager Blocks { get; } = blocks;
    public int NumWaiting => waiting.Count;
    public int NumRunning => running.Count;

    /// <summary>
    /// Tokens of waiting and partly prefilled prompts whose KV is not computed yet; a waiting prompt's prefix found in
    /// the cache when it was queued does not count (it will not be computed).
    /// </summary>
    public long NumPendingPrefillTokens
    {
        get
        {
            long tokens = 0;
            foreach (var seq in waiting)
                tokens += seq.Length - Math.Max(seq.NumComputedTokens, seq.QueuedCachedTokens);
            foreach (var seq in running)
                if (seq.IsPrefilling)
                    tokens += seq.PrefillLength - seq.NumComputedTokens;
            return tokens;
        }
    }
    public long NumPreemptions { get; private set; }
    public bool HasWork => waiting.Count > 0 || running.Count > 0;

    public void Add(Sequence seq)
    {
        seq.Status = SequenceStatus.Waiting;
        seq.QueuedCachedTokens = Blocks.CountCachedTokens(seq);
        waiting.AddLast(seq);
    }

    public ScheduledBatch Schedule(PrefillMode mode)
    {
        var decodes = new List<Sequence>();
        var preempted = false;
        for (var i = 0; i < running.Count; i++)
        {
            var seq = running[i];
            if (seq.IsPrefilling)
                continue;
            while (!Blocks.CanAppend(seq) && Victim(after: i) is { } victim)
            {
                Preempt(victim);
                preempted = true;
            }
            if (!Blocks.CanAppend(seq))
            {
                Preempt(seq);
                preempted = true;
                break;
            }
            Blocks.Append(seq);
            seq.ScheduledEnd = seq.Length;
            decodes.Add(seq);
        }

        var prefills = new List<Sequence>();
        // A layered batch in flight keeps the prompts' turn until its last layer group.
        if (running.Any(s => s.IsInFlight))
            return new ScheduledBatch(decodes, prefills);

        var budget = mode.Budget(options, decodes.Count);
        // Partly prefilled prompts hold their blocks already; they go on whether or not this iteration preempted.
        foreach (var seq in running.Where(s => s.IsPrefilling))
        {
            if (mode.Cut(budget) <= 0)
                break;
            budget -= ScheduleChunk(seq, mode.Cut(budget));
            prefills.Add(seq);
        }

        // While preempting, admitting new prompts would only take the blocks back.
        while (!preempted && waiting.First is { } node && running.Count < options.MaxNumSeqs)
        {
            var seq = node.Value;
            var newTokens = seq.Length - Blocks.CountCachedTokens(seq);
            if (!mode.Admits(newTokens, budget, decodes.Count, prefills.Count) || !Blocks.CanAllocate(seq))
                break;
            waiting.RemoveFirst();
            Blocks.Allocate(seq);
            seq.Status = SequenceStatus.Running;
            budget -= ScheduleChunk(seq, mode.Cut(budget));
            prefills.Add(seq);
            running.Add(seq);
        }
        return new ScheduledBatch(decodes, prefills);
    }

    /// <summary>Sets how far this iteration computes the prompt (at most <paramref name="maxTokens"/> tokens) and returns the count.</summary>
    static int ScheduleChunk(Sequence seq, int maxTokens)
    {
        var tokens = Math.Min(seq.Length - seq.NumComputedTokens, maxTokens);
        seq.ScheduledEnd = seq.NumComputedTokens + tokens;
        return tokens;
    }

    /// <summary>The newest admitted sequence after position <paramref name="after"/> that is not a layered prefill in flight.</summary>
    Sequence? Victim(int after)
    {
        for (var j = running.Count - 1; j > after; j--)
            if (!running[j].IsInFlight)
                return running[j];
        return null;
    }

    /// <summary>Records that the scheduled work ran: the sequences' KV now covers it, and its full blocks join the prefix cache.</summary>
    public void Computed(IEnumerable<Sequence> seqs)
    {
        foreach (var seq in seqs)
        {
            seq.NumComputedTokens = seq.ScheduledEnd;
            Blocks.Commit(seq, seq.NumComputedTokens);
        }
    }

    /// <summary>
    /// Reserves blocks for a sequence whose KV another engine computes: its prefix cached here, fresh blocks for the
    /// rest (what the transfer brings). False when the pool cannot hold it now.
    /// </summary>
    public bool TryReserveImport(Sequence seq, bool reuseCachedPrefix = true)
    {
        if (reuseCachedPrefix ? !Blocks.CanAllocate(seq) : Blocks.NumFreeBlocks < seq.NumBlocks(Blocks.BlockSize))
            return false;
        Blocks.AllocateForImport(seq, reuseCachedPrefix);
        seq.Status = SequenceStatus.Importing;
        return true;
    }

    /// <summary>Marks an imported sequence's KV as present: it decodes from its next token on.</summary>
    public void Imported(Sequence seq)
    {
        seq.ScheduledEnd = seq.Length;
        Computed([seq]);
    }

    /// <summary>
    /// Applies a sampled token's consequence: a finished request leaves and frees its blocks, an imported one joins the
    /// running list, a held prefill leaves it and keeps its blocks for export.
    /// </summary>
    public void Update(Sequence seq, FinishReason? reason)
    {
        if (reason is { } r)
            Finish(seq, r);
        else if (seq.Status == SequenceStatus.Importing)
        {
            seq.Status = SequenceStatus.Running;
            running.Add(seq);
        }
        else if (seq.HoldAfterPrefill && seq.Status == SequenceStatus.Running)
        {
            running.Remove(seq);
            seq.Status = SequenceStatus.Held;
        }
    }

    /// <summary>Ends a sequence wherever it is (waiting, running, held or importing) and frees its blocks.</summary>
    public void Finish(Sequence seq, FinishReason? reason)
    {
        if (!running.Remove(seq))
            waiting.Remove(seq);
        Blocks.Free(seq);
        seq.Status = SequenceStatus.Finished;
        seq.FinishReason = reason;
    }

    /// <summary>Recompute: the sequence starts again from its cached prefix (a prompt's written chunks included).</summary>
    void Preempt(Sequence seq)
    {
        running.Remove(seq);
        Blocks.Free(seq);
        seq.Status = SequenceStatus.Waiting;
        seq.QueuedCachedTokens = Blocks.CountCachedTokens(seq);
        waiting.AddFirst(seq);
        NumPreemptions++;
    }
}
