namespace Serving.Planning.LoadTests;

/// <summary>What to send: recorded in the result file so a run can be repeated.</summary>
public sealed record WorkloadSettings
{
    public WorkloadKind Kind { get; init; } = WorkloadKind.Synthetic;
    public int NumPrompts { get; init; } = 200;
    public LengthSpec Input { get; init; } = LengthSpec.Of(LengthDistribution.Fixed, 128);
    public LengthSpec Output { get; init; } = LengthSpec.Of(LengthDistribution.Fixed, 64);
    /// <summary>The ShareGPT JSON file or the trace file.</summary>
    public string? Path { get; init; }
    /// <summary>Output tokens for every ShareGPT request instead of each answer's own length.</summary>
    public int? ShareGptOutputLen { get; init; }
    /// <summary>A trace is replayed this many times faster.</summary>
    public double TraceSpeedup { get; init; } = 1;
    /// <summary>Build prompts from the target's tokenizer (/tokenize, /detokenize) when it has one; else from words.</summary>
    public bool UseServerTokenizer { get; init; } = true;
}
