using Serving.Model.Sampling;

namespace Serving.Worker.Transfer;

/// <summary>The token sampled where the prefill finished, which the decode worker continues from.</summary>
public sealed record FirstToken(int TokenId, TokenLogprob? Logprob);
