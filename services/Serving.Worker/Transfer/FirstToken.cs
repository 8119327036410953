using Serving.Model.Sampling;

namespace Serving.Worker.Transfer;

/// <summary>The token sampled where the prefill finished, which the decode worker continues from.</summary>
/// <param name="CachedTokens">Prompt tokens the prefill worker's prefix cache held (it did not compute them).</param>
public sealed record FirstToken(int TokenId, TokenLogprob? Logprob, int CachedTokens = 0);
