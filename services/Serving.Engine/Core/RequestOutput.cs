using Serving.Model.Sampling;
using Serving.Engine.Scheduling;

namespace Serving.Engine.Core;

/// <summary>What one engine step produced for one request.</summary>
public sealed record RequestOutput(
    string RequestId,
    IReadOnlyList<int> NewTokenIds,
    string NewText,
    IReadOnlyList<TokenLogprob>? NewLogprobs,
    bool Finished,
    FinishReason? FinishReason,
    int PromptTokens,
    int OutputTokens,
    int CachedPromptTokens);
