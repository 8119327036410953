using Serving.Engine.Cache;

namespace Serving.Engine.Scheduling;

/// <summary>
/// Continuous batching. Each iteration first keeps every running sequence decoding (preempting the most recently
/// admitted ones by recompute when blocks run out), then admits waiting prompts within the token budget. With
/// layered prefill the admitted prompts stay in a prefilling set, and no new prompt joins, until the engine has run
/// their last layer group. With chunked prefill a prompt is computed a chunk per iteration and stays in a chunking
/// set, out of the decodes, until its last chunk is scheduled.
/// </summary>
internal sealed class Scheduler(SchedulerOptions options, BlockManager blocks)
{
    readonly LinkedList<Sequence> waiting = new();
    readonly List<Sequence> running = [];
    readonly List<Sequence> prefilling = [];
    readonly List<Sequence> chunking = [];

    public BlockManager Blocks { get; } = blocks;
    public int NumWaiting => waiting.Count;
    public int NumRunning => running.Count + prefilling.Count + chunking.Count;
    public long NumPreemptions { get; private set; }
    public bool HasWork => waiting.Count > 0 || NumRunning > 0;

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
    /// Picks this iteration's decodes and prefills. With <paramref name="layered"/>, the prompts are prefilled apart
    /// from the decodes over several iterations, so they keep the whole token budget and stay out of the decode batch
    /// until <see cref="FinishPrefill"/>. With <paramref name="chunkTokens"/> C &gt; 0, at most C prompt tokens run:
    /// partly prefilled prompts continue first, then new ones are admitted (blocks for the whole prompt) and the last
    /// of them may be cut short; a prompt joins the decodes once its last chunk is scheduled.
    /// </summary>
    public ScheduledBatch Schedule(bool layered = false, int chunkTokens = 0)
    {
        var decodes = new List<Sequence>();
        var preempted = false;
        for (var i = 0; i < running.Count; i++)
        {
            var seq = running[i];
            // Victims: partly prefilled prompts first (admitted last), then the newest decodes.
            while (!Blocks.CanAppend(seq) && (chunking.Count > 0 || running.Count - 1 > i))
            {
                Preempt(chunking.Count > 0 ? chunking[^1] : running[^1]);
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
        var chunked = chunkTokens > 0 && !layered;
        var budget = chunked ? chunkTokens : options.MaxNumBatchedTokens - (layered ? 0 : decodes.Count);
        if (prefilling.Count > 0)
            return new ScheduledBatch(decodes, prefills);

        // Partly prefilled prompts hold their blocks already; they go on whether or not this iteration preempted.
        foreach (var seq in chunking.ToList())
        {
            if (chunked && budget <= 0)
                break;
            budget -= ScheduleChunk(seq, chunked ? budget : int.MaxValue);
            prefills.Add(seq);
            if (seq.IsLastChunk)
            {
                chunking.Remove(seq);
                (layered ? prefilling : running).Add(seq);
            }
        }

        // While preempting, admitting new prompts would only take the blocks back.
        // Each admitted prompt joins running/chunking/prefilling at once, so NumRunning already counts it.
        while (!preempted && waiting.First is { } node && NumRunning < options.MaxNumSeqs)
        {
            var seq = node.Value;
            var newTokens = seq.Length - Blocks.CountCachedTokens(seq);
            var alone = (layered || decodes.Count == 0) && prefills.Count == 0;
            if ((chunked ? budget <= 0 : newTokens > budget && !alone) || !Blocks.CanAllocate(seq))
                break;
            waiting.RemoveFirst();
            Blocks.Allocate(seq);
            seq.Status = SequenceStatus.Running;
            budget -= ScheduleChunk(seq, chunked ? budget : int.MaxValue);
            prefills.Add(seq);
            (!seq.IsLastChunk ? chunking : layered ? prefilling : running).Add(seq);
        }
        return new ScheduledBatch(decodes, prefills);
    }

    /// <summary>Sets how far this iteration prefills the sequence (at most <paramref name="maxTokens"/> tokens) and returns the count.</summary>
    static int ScheduleChunk(Sequence seq, int maxTokens)
    {
        var remaining = seq.Length - seq.NumComputedTokens;
        var tokens = Math.Min(remaining, maxTokens);
        seq.PrefillEnd = seq.NumComputedTokens + tokens;
        return tokens;
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
        if (!running.Remove(seq) && !prefilling.Remove(seq) && !chunking.Remove(seq))
            waiting.Remove(seq);
        if (freeBlocks)
            Blocks.Free(seq);
    }

    /// <summary>Recompute: a partly prefilled prompt starts again from its cached prefix (its written chunks included).</summary>
    void Preempt(Sequence seq)
    {
        if (!running.Remove(seq))
            chunking.Remove(seq);
        Blocks.Free(seq);
        seq.Status = SequenceStatus.Waiting;
        waiting.AddFirst(seq);
        NumPreemptions++;
    }
}
