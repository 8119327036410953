using Serving.Engine.Cache;

namespace Serving.Engine.Scheduling;

/// <summary>
/// Continuous batching. Each iteration first keeps every running sequence decoding (preempting the most recently
/// admitted ones by recompute when blocks run out), then admits waiting prompts within the token budget.
/// </summary>
internal sealed class Scheduler(SchedulerOptions options, BlockManager blocks)
{
    readonly LinkedList<Sequence> waiting = new();
    readonly List<Sequence> running = [];

    public BlockManager Blocks { get; } = blocks;
    public int NumWaiting => waiting.Count;
    public int NumRunning => running.Count;
    public long NumPreemptions { get; private set; }
    public bool HasWork => waiting.Count > 0 || running.Count > 0;

    public void Add(Sequence seq)
    {
        seq.Status = SequenceStatus.Waiting;
        waiting.AddLast(seq);
    }

    /// <summary>Puts a sequence whose KV was imported straight into the running batch.</summary>
    public void AddRunning(Sequence seq)
    {
        seq.Status = SequenceStatus.Running;
        running.Add(seq);
    }

    public ScheduledBatch Schedule()
    {
        var decodes = new List<Sequence>();
        var preempted = false;
        for (var i = 0; i < running.Count; i++)
        {
            var seq = running[i];
            while (!Blocks.CanAppend(seq) && running.Count - 1 > i)
            {
                Preempt(running[^1]);
                preempted = true;
            }
            if (!Blocks.CanAppend(seq))
            {
                Preempt(seq);
                preempted = true;
                break;
            }
            Blocks.Append(seq);
            decodes.Add(seq);
        }

        var prefills = new List<Sequence>();
        var budget = options.MaxNumBatchedTokens - decodes.Count;
        // While preempting, admitting new prompts would only take the blocks back.
        while (!preempted && waiting.First is { } node && running.Count < options.MaxNumSeqs)
        {
            var seq = node.Value;
            var newTokens = seq.Length - Blocks.CountCachedTokens(seq);
            var alone = decodes.Count == 0 && prefills.Count == 0;
            if ((newTokens > budget && !alone) || !Blocks.CanAllocate(seq))
                break;
            waiting.RemoveFirst();
            Blocks.Allocate(seq);
            seq.Status = SequenceStatus.Running;
            running.Add(seq);
            prefills.Add(seq);
            budget -= newTokens;
        }
        return new ScheduledBatch(decodes, prefills);
    }

    /// <summary>Takes a finished, held or aborted sequence out of the batch; frees its blocks unless told to keep them.</summary>
    public void Remove(Sequence seq, bool freeBlocks = true)
    {
        if (!running.Remove(seq))
            waiting.Remove(seq);
        if (freeBlocks)
            Blocks.Free(seq);
    }

    void Preempt(Sequence seq)
    {
        running.Remove(seq);
        Blocks.Free(seq);
        seq.Status = SequenceStatus.Waiting;
        waiting.AddFirst(seq);
        NumPreemptions++;
    }
}
