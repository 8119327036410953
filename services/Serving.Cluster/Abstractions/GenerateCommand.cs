using Serving.Worker.Roles;

namespace Serving.Cluster.Abstractions;

/// <summary>A generation request on the wire between silos.</summary>
[GenerateSerializer, Immutable]
public sealed record GenerateCommand(
    [property: Id(0)] string RequestId,
    [property: Id(1)] int[] PromptTokens,
    [property: Id(2)] SamplingMessage Sampling)
{
    public static GenerateCommand From(GenerationRequest r) => new(r.RequestId, [.. r.PromptTokens], SamplingMessage.From(r.Sampling));

    public GenerationRequest ToRequest() => new(RequestId, PromptTokens, Sampling.ToParams());
}
