using Serving.Engine.Sampling;

namespace Serving.Engine.Scheduling;

/// <summary>One request's tokens and its place in the KV cache: the engine's unit of scheduling.</summary>
internal sealed class Sequence(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false)
{
    readonly List<int> tokens = [.. promptTokens];

    public string RequestId { get; } = requestId;
    public SamplingParams Sampling { get; } = sampling;
    public long Seed { get; } = sampling.Seed ?? Random.Shared.NextInt64();
    public bool HoldAfterPrefill { get; } = holdAfterPrefill;
    public int PromptLength { get; } = promptTokens.Count;
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
