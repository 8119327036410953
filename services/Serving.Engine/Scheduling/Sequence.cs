using Serving.Model.Sampling;

namespace Serving.Engine.Scheduling;

/// <summary>One request's tokens and its place in the KV cache: the engine's unit of scheduling.</summary>
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

    /// <summary>Leading tokens whose KV is already in the cache when the sequence is (re)admitted.</summary>
    public int NumCachedTokens { get; set; }

    /// <summary>While the prompt is prefilled: leading tokens whose KV is in the pool (cache hits, then each chunk run).</summary>
    public int NumComputedTokens { get; set; }

    /// <summary>Where this step's prefill of the sequence stops: its length, or the end of its chunk (chunked prefill).</summary>
    public int PrefillEnd { get; set; }

    /// <summary>True when this step's prefill reaches the last token, so its logits are sampled.</summary>
    public bool IsLastChunk => PrefillEnd == Length;

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
