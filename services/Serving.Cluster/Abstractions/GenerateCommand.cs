using Serving.Engine.Core;
using Serving.Model.Requests;
using Serving.Worker.Roles;

namespace Serving.Cluster.Abstractions;

/// <summary>A generation request on the wire between silos.</summary>
[GenerateSerializer, Immutable]
public sealed record GenerateCommand(
    [property: Id(0)] string RequestId,
    [property: Id(1)] int[] PromptTokens,
    [property: Id(2)] SamplingMessage Sampling,
    [property: Id(3)] int[]? GeneratedTokens = null,
    [property: Id(4)] int EmittedChars = 0)
{
    public static GenerateCommand From(GenerationRequest r) =>
        new(r.RequestId, [.. r.PromptTokens], SamplingMessage.From(r.Sampling), r.Resume?.OutputTokens.ToArray(), r.Resume?.EmittedChars ?? 0);

    public GenerationRequest ToRequest() =>
        new(RequestId, PromptTokens, Sampling.ToParams(), GeneratedTokens is null ? null : new ResumePoint(GeneratedTokens, EmittedChars));
}
