using Serving.Engine.Core;
using Serving.Model.Requests;
using Serving.Model.Sampling;

namespace Serving.Worker.Roles;

/// <summary>One request as workers see it: tokens in, sampling settings, and the id every worker knows it by.</summary>
public sealed record GenerationRequest(string RequestId, IReadOnlyList<int> PromptTokens, SamplingParams Sampling, ResumePoint? Resume = null)
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
