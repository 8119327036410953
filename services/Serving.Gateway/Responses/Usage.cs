using System.Text.Json.Serialization;
using Serving.Gateway.Generation;

namespace Serving.Gateway.Responses;

internal sealed record Usage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("prompt_tokens_details")] PromptTokensDetails PromptTokensDetails)
{
    [JsonPropertyName("total_tokens")] public int TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>
    /// A request's usage from its choices: their output tokens, and the prompt tokens the server found in a prefix
    /// cache rather than computing them (the most any choice found; each choice is its own cluster request).
    /// </summary>
    public static Usage Of(int promptTokens, IEnumerable<ChoiceState> choices)
    {
        var completion = 0;
        var cached = 0;
        foreach (var c in choices)
        {
            completion += c.OutputTokens;
            cached = Math.Max(cached, c.CachedPromptTokens);
        }
        return new Usage(promptTokens, completion, new PromptTokensDetails(Math.Min(cached, promptTokens)));
    }
}

/// <summary>OpenAI's breakdown of the prompt tokens: how many were served from the prefix cache.</summary>
internal sealed record PromptTokensDetails([property: JsonPropertyName("cached_tokens")] int CachedTokens);
