namespace Serving.Model.Sampling;

/// <summary>The logprob of a sampled token and of the most likely alternatives at its position.</summary>
public sealed record TokenLogprob(int TokenId, float Logprob, IReadOnlyList<(int TokenId, float Logprob)> Top);
