using Serving.Model.Sampling;

namespace Serving.Contracts.Surrogates;

/// <summary><see cref="SamplingParams"/> on the wire: the record lives in Serving.Model, which knows nothing of Orleans.</summary>
[GenerateSerializer]
public struct SamplingParamsSurrogate
{
    [Id(0)] public double Temperature;
    [Id(1)] public double TopP;
    [Id(2)] public int TopK;
    [Id(3)] public double MinP;
    [Id(4)] public long? Seed;
    [Id(5)] public double PresencePenalty;
    [Id(6)] public double FrequencyPenalty;
    [Id(7)] public double RepetitionPenalty;
    [Id(8)] public int MaxTokens;
    [Id(9)] public int MinTokens;
    [Id(10)] public string[] Stop;
    [Id(11)] public int[] StopTokenIds;
    [Id(12)] public bool IgnoreEos;
    [Id(13)] public int? Logprobs;
}

[RegisterConverter]
public sealed class SamplingParamsConverter : IConverter<SamplingParams, SamplingParamsSurrogate>
{
    public SamplingParams ConvertFromSurrogate(in SamplingParamsSurrogate s) => new()
    {
        Temperature = s.Temperature, TopP = s.TopP, TopK = s.TopK, MinP = s.MinP, Seed = s.Seed,
        PresencePenalty = s.PresencePenalty, FrequencyPenalty = s.FrequencyPenalty, RepetitionPenalty = s.RepetitionPenalty,
        MaxTokens = s.MaxTokens, MinTokens = s.MinTokens, Stop = s.Stop ?? [], StopTokenIds = s.StopTokenIds ?? [],
        IgnoreEos = s.IgnoreEos, Logprobs = s.Logprobs,
    };

    public SamplingParamsSurrogate ConvertToSurrogate(in SamplingParams p) => new()
    {
        Temperature = p.Temperature, TopP = p.TopP, TopK = p.TopK, MinP = p.MinP, Seed = p.Seed,
        PresencePenalty = p.PresencePenalty, FrequencyPenalty = p.FrequencyPenalty, RepetitionPenalty = p.RepetitionPenalty,
        MaxTokens = p.MaxTokens, MinTokens = p.MinTokens, Stop = [.. p.Stop], StopTokenIds = [.. p.StopTokenIds],
        IgnoreEos = p.IgnoreEos, Logprobs = p.Logprobs,
    };
}
