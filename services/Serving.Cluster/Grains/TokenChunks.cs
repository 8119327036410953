using Serving.Contracts;
using Serving.Engine.Core;

namespace Serving.Cluster.Grains;

/// <summary>An engine output as a worker grain streams it back.</summary>
internal static class TokenChunks
{
    public static TokenChunk ToChunk(this RequestOutput o) => new(
        [.. o.NewTokenIds],
        o.NewText,
        o.NewLogprobs?.Select(TokenLogprobMessage.From).ToArray(),
        o.Finished,
        o.FinishReason?.ToString().ToLowerInvariant(),
        o.PromptTokens,
        o.OutputTokens,
        o.CachedPromptTokens);
}
