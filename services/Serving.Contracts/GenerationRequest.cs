using Serving.Model.Requests;
using Serving.Model.Sampling;

namespace Serving.Contracts;

/// <summary>
/// One request as the cluster sees it, from the gateway to the workers and between silos: tokens in, sampling
/// settings, the id every worker knows it by, and where it resumes when another worker failed.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GenerationRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] IReadOnlyList<int> PromptTokens,
    [property: Id(2)] SamplingParams Sampling,
    [property: Id(3)] ResumePoint? Resume = null)
{
    /// <summary>Tokens whose KV a prefill computes: the prompt, plus what was generated before a resume.</summary>
    public int KnownTokens => PromptTokens.Count + (Resume?.OutputTokens.Count ?? 0);

    /// <summary>
    /// Fixes the seed before the request is split across workers, so the prefill worker's first token and the decode
    /// worker's later ones come from one random stream, exactly as on a single worker.
    /// </summary>
    public GenerationRequest WithResolvedSeed() =>
        Sampling.Seed is null ? this with { Sampling = Sampling with { Seed = Random.Shared.NextInt64() } } : this;
}
