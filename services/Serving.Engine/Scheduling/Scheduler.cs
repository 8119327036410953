using Serving.Engine.Cache;

namespace Serving.Engine.Scheduling;

/// <summary>
/// Continuous batching. Each iteration first keeps every running sequence decoding (preempting the most recently
/// admitted ones by recompute when blocks run out), then admits waiting prompts within the token budget. With
/// layered prefill the admitted prompts stay in a prefilling set, and no new prompt joins, until the engine has run
/// their last layer group.
/// </summary>
internal sealed class Scheduler(SchedulerOptions options, BlockManager blocks)
{
    readonly LinkedList<Sequence> waiting = new();
    readonly List<Sequence> running = [];
    readonly List<Sequence> prefilling = [];

    public BlockManager Blocks { get; } = blocks;
    public int NumWaiting => waiting.Count;
    public int NumRunning => running.Count + prefilling.Count;
    public long NumPreemptions { get; private set; }
    public bool HasWork => waiting.Count > 0 || running.Count > 0 || prefilling.Count > 0;

    /// <summary>True while a layered prefill batch is between its first and last layer group.</summary>
    public bool IsPrefilling => prefilling.Count > 0;

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

    /// <summary>
    /// Picks this iteration's decodes and newly admitted prompts. With <paramref name="layered"/>, the prompts are
    /// prefilled apart from the decodes over several iterations, so they keep the whole token budget and stay out of
    /// the decode batch until <see cref="FinishPrefill"/>.
    /// </summary>
    public ScheduledBatch Schedule(bool layered = false)
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
        var budget = options.MaxNumBatchedTokens - (layered ? 0 : decodes.Count);
        // While preempting, admitting new prompts would only take the blocks back.
        while (!preempted && prefilling.Count == 0 && waiting.First is { } node && NumRunning + prefills.Count < options.MaxNumSeqs)
        {
            var seq = node.Value;
            var newTokens = seq.Length - Blocks.CountCachedTokens(seq);
            var alone = (layered || decodes.Count == 0) && prefills.Count == 0;
            if ((newTokens > budget && !alone) || !Blocks.CanAllocate(seq))
                break;
            waiting.RemoveFirst();
            Blocks.Allocate(seq);
            seq.Status = SequenceStatus.Running;
            prefills.Add(seq);
            budget -= newTokens;
        }
        (layered ? prefilling : running).AddRange(prefills);
        return new ScheduledBatch(decodes, prefills);
    }

    /// <summary>Moves a sequence whose layered prefill has run its last group into the decode batch.</summary>
    public void FinishPrefill(Sequence seq)
    {
        if (prefilling.Remove(seq))
            running.Add(seq);
    }

    /// <summary>Takes a finished, held or aborted sequence out of the batch; frees its blocks unless told to keep them.</summary>
    public void Remove(Sequence seq, bool freeBlocks = true)
    {
        if (!running.Remove(seq) && !prefilling.Remove(seq))
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
