namespace Serving.Model.Sampling;

/// <summary>How one request's tokens are chosen and when it stops (vLLM's parameter set and defaults).</summary>
public sealed record SamplingParams
{
    /// <summary>0 means greedy.</summary>
    public double Temperature { get; init; } = 1.0;
    public double TopP { get; init; } = 1.0;
    /// <summary>0 or less disables top-k.</summary>
    public int TopK { get; init; }
    public double MinP { get; init; }
    /// <summary>Same seed, same output; null draws a seed per request.</summary>
    public long? Seed { get; init; }
    public double PresencePenalty { get; init; }
    public double FrequencyPenalty { get; init; }
    public double RepetitionPenalty { get; init; } = 1.0;
    public int MaxTokens { get; init; } = 16;
    public int MinTokens { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public IReadOnlyList<int> StopTokenIds { get; init; } = [];
    public bool IgnoreEos { get; init; }
    /// <summary>Number of top alternatives to report with each sampled token's logprob; null reports none.</summary>
    public int? Logprobs { get; init; }

    public static SamplingParams Greedy(int maxTokens) => new() { Temperature = 0, MaxTokens = maxTokens };

    public bool IsGreedy => Temperature <= 1e-5;
    internal bool HasPenalties => PresencePenalty != 0 || FrequencyPenalty != 0 || RepetitionPenalty != 1.0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, string rule)
        {
            if (!ok)
                throw new ArgumentException($"{name} {rule}.", name);
        }
        Check(Temperature >= 0 && double.IsFinite(Temperature), "temperature", "must be a finite number >= 0");
        Check(TopP is > 0 and <= 1, "top_p", "must be in (0, 1]");
        Check(TopK >= -1, "top_k", "must be -1 (off) or a positive number");
        Check(MinP is >= 0 and <= 1, "min_p", "must be in [0, 1]");
        Check(PresencePenalty is >= -2 and <= 2, "presence_penalty", "must be in [-2, 2]");
        Check(FrequencyPenalty is >= -2 and <= 2, "frequency_penalty", "must be in [-2, 2]");
        Check(RepetitionPenalty > 0 && double.IsFinite(RepetitionPenalty), "repetition_penalty", "must be > 0");
        Check(MaxTokens >= 1, "max_tokens", "must be at least 1");
        Check(MinTokens >= 0 && MinTokens <= MaxTokens, "min_tokens", "must be in [0, max_tokens]");
        Check(Logprobs is null or (>= 0 and <= 20), "logprobs", "must be in [0, 20]");
        Check(Stop.All(s => s.Length > 0), "stop", "must not contain empty strings");
    }
}
