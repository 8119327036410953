
namespace Serving.Contracts;

/// <summary>What a worker streams back for one request: new tokens and text, and how it ended.</summary>
[GenerateSerializer, Immutable]
public sealed record TokenChunk(
    [property: Id(0)] int[] TokenIds,
    [property: Id(1)] string Text,
    [property: Id(2)] TokenLogprobMessage[]? Logprobs,
    [property: Id(3)] bool Finished,
    [property: Id(4)] string? FinishReason,
    [property: Id(5)] int PromptTokens,
    [property: Id(6)] int OutputTokens,
    [property: Id(7)] int CachedPromptTokens);
