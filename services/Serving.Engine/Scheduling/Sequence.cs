using Serving.Model.Requests;
using Serving.Model.Sampling;

namespace Serving.Engine.Scheduling;

/// <summary>
/// One request's tokens and its place in the KV cache: the engine's unit of scheduling. A running sequence is
/// prefilling while its computed tokens trail the length it was admitted with, and decoding after that: each step
/// computes its tokens from <see cref="NumComputedTokens"/> to <see cref="ScheduledEnd"/>.
/// </summary>
internal sealed class Sequence
{
    readonly List<int> tokens;

    public Sequence(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, IReadOnlyList<int>? generated = null)
    {
        RequestId = requestId;
        Sampling = sampling;
        Seed = sampling.Seed ?? Random.Shared.NextInt64();
        HoldAfterPrefill = holdAfterPrefill;
        PromptLength = promptTokens.Count;
        tokens = [.. promptTokens];
        // A resumed sequence carries its earlier output: it counts for penalties, limits and the random stream.
        foreach (var t in generated ?? [])
            Append(t);
    }

    /// <summary>
    /// Checks a request against the engine's limits and makes its sequence. Throws <see cref="ArgumentException"/>
    /// naming what is wrong: an engine never holds a request it could not finish.
    /// </summary>
    public static Sequence Create(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill, ResumePoint? resume, SequenceLimits limits)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        sampling.Validate();
        if (promptTokens.Count == 0)
            throw new ArgumentException("the prompt is empty.", nameof(promptTokens));
        limits.CheckTokens(promptTokens, "token id", nameof(promptTokens));
        // In 64 bits: max_tokens near int.MaxValue must not wrap around to a length that fits.
        var length = (long)promptTokens.Count + sampling.MaxTokens;
        if (length > limits.MaxModelLength)
            throw new ArgumentException(
                $"prompt ({promptTokens.Count} tokens) plus max_tokens ({sampling.MaxTokens}) exceeds the model's context length ({limits.MaxModelLength}).",
                nameof(sampling));
        var blocksNeeded = (length + limits.BlockSize - 1) / limits.BlockSize;
        if (blocksNeeded > limits.NumBlocks)
            throw new ArgumentException(
                $"the request needs {blocksNeeded} KV blocks but the pool has {limits.NumBlocks}; raise the KV cache memory or shorten the request.",
                nameof(sampling));
        if (resume is not null)
        {
            if (resume.OutputTokens.Count >= sampling.MaxTokens)
                throw new ArgumentException($"a resumed request must have fewer than max_tokens ({sampling.MaxTokens}) tokens already generated.", nameof(resume));
            limits.CheckTokens(resume.OutputTokens, "generated token id", nameof(resume));
        }
        return new Sequence(requestId, promptTokens, sampling, holdAfterPrefill, resume?.OutputTokens);
    }

    public string RequestId { get; }
    public SamplingParams Sampling { get; }
    public long Seed { get; }
    public bool HoldAfterPrefill { get; }
    public int PromptLength { get; }
    public IReadOnlyList<int> Tokens => tokens;
    public int Length => tokens.Count;
    public int OutputLength => tokens.Count - PromptLength;
    public int LastToken => tokens[^1];
    public IEnumerable<int> OutputTokens => tokens.Skip(PromptLength);

    public SequenceStatus Status { get; set; } = SequenceStatus.Waiting;
    public FinishReason? FinishReason { get; set; }

    /// <summary>Block ids holding this sequence's KV, in token order.</summary>
    public List<int> BlockTable { get; } = [];

    /// <summary>Leading tokens whose KV was already in the cache when the sequence was (re)admitted.</summary>
    public int NumCachedTokens { get; set; }

    /// <summary>Leading tokens the prefix cache held when the sequence was queued: what its prefill will not compute, as far as anyone can tell before it is admitted.</summary>
    public int QueuedCachedTokens { get; set; }

    /// <summary>Leading tokens whose KV is in the pool: cache hits, then every chunk and decode step run.</summary>
    public int NumComputedTokens { get; set; }

    /// <summary>The length the sequence was admitted with: it prefills until its computed tokens reach it.</summary>
    public int PrefillLength { get; set; }

    /// <summary>Where the work scheduled for the sequence stops: its length, or the end of a prompt chunk.</summary>
    public int ScheduledEnd { get; set; }

    public bool IsPrefilling => NumComputedTokens < PrefillLength;

    /// <summary>Scheduled work not yet computed: a layered prefill between its first and last layer group.</summary>
    public bool IsInFlight => ScheduledEnd > NumComputedTokens && IsPrefilling;

    /// <summary>True when the scheduled work reaches the last token, so its logits are sampled.</summary>
    public bool SamplesThisStep => ScheduledEnd == Length;

    /// <summary>Decode side of a transfer: the first block the import writes; the blocks before it were in this pool's prefix cache.</summary>
    public int ImportFromBlock { get; set; }

    /// <summary>Prefill side of a transfer: the first block exported; the receiver holds the blocks before it already.</summary>
    public int ExportFromBlock { get; set; }

    /// <summary>Full blocks whose hash is registered for prefix caching, and the hash of the last of them.</summary>
    public int NumHashedBlocks { get; set; }
    public ulong LastBlockHash { get; set; }

    /// <summary>Counts of each output token, for presence and frequency penalties.</summary>
    public Dictionary<int, int> OutputCounts { get; } = [];

    public List<TokenLogprob>? Logprobs { get; set; }

    public void Append(int token)
    {
        tokens.Add(token);
        OutputCounts[token] = OutputCounts.GetValueOrDefault(token) + 1;
    }

    public int NumBlocks(int blockSize) => (Length + blockSize - 1) / blockSize;

    public ReadOnlySpan<int> BlockTokens(int index, int blockSize)
    {
        var start = index * blockSize;
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens).Slice(start, Math.Min(blockSize, Length - start));
    }

    public bool IsFinished => Status == SequenceStatus.Finished;
}
