using Serving.Model.Sampling;

namespace Serving.Contracts;

[GenerateSerializer, Immutable]
public sealed record TokenLogprobMessage(
    [property: Id(0)] int TokenId,
    [property: Id(1)] float Logprob,
    [property: Id(2)] int[] TopIds,
    [property: Id(3)] float[] TopLogprobs)
{
    public static TokenLogprobMessage From(TokenLogprob lp) =>
        new(lp.TokenId, lp.Logprob, [.. lp.Top.Select(t => t.TokenId)], [.. lp.Top.Select(t => t.Logprob)]);
}
