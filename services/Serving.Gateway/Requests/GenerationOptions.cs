using Serving.Model.Sampling;

namespace Serving.Gateway.Requests;

/// <summary>What both generation endpoints share once the body is read: sampling, choices per prompt, streaming.</summary>
internal sealed record GenerationOptions
{
    public required string Model { get; init; }
    /// <summary>Sampling with max_tokens still unset (0) when the client gave none: it depends on the prompt.</summary>
    public required SamplingParams Sampling { get; init; }
    /// <summary>The field the completion's length came from (max_tokens or max_completion_tokens), for error messages.</summary>
    public string MaxTokensField { get; init; } = "max_tokens";
    public int N { get; init; } = 1;
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    /// <summary>Top alternatives reported per token, or null for no logprobs at all.</summary>
    public int? Logprobs { get; init; }
    public bool HasMaxTokens => Sampling.MaxTokens > 0;
}
