using Serving.Model.Sampling;

namespace Serving.Cluster.Abstractions;

/// <summary><see cref="SamplingParams"/> on the wire between silos.</summary>
[GenerateSerializer, Immutable]
public sealed record SamplingMessage
{
    [Id(0)] public double Temperature { get; init; }
    [Id(1)] public double TopP { get; init; }
    [Id(2)] public int TopK { get; init; }
    [Id(3)] public double MinP { get; init; }
    [Id(4)] public long? Seed { get; init; }
    [Id(5)] public double PresencePenalty { get; init; }
    [Id(6)] public double FrequencyPenalty { get; init; }
    [Id(7)] public double RepetitionPenalty { get; init; }
    [Id(8)] public int MaxTokens { get; init; }
    [Id(9)] public int MinTokens { get; init; }
    [Id(10)] public string[] Stop { get; init; } = [];
    [Id(11)] public int[] StopTokenIds { get; init; } = [];
    [Id(12)] public bool IgnoreEos { get; init; }
    [Id(13)] public int? Logprobs { get; init; }

    public static SamplingMessage From(SamplingParams p) => new()
    {
        Temperature = p.Temperature, TopP = p.TopP, TopK = p.TopK, MinP = p.MinP, Seed = p.Seed,
        PresencePenalty = p.PresencePenalty, FrequencyPenalty = p.FrequencyPenalty, RepetitionPenalty = p.RepetitionPenalty,
        MaxTokens = p.MaxTokens, MinTokens = p.MinTokens, Stop = [.. p.Stop], StopTokenIds = [.. p.StopTokenIds],
        IgnoreEos = p.IgnoreEos, Logprobs = p.Logprobs,
    };

    public SamplingParams ToParams() => new()
    {
        Temperature = Temperature, TopP = TopP, TopK = TopK, MinP = MinP, Seed = Seed,
        PresencePenalty = PresencePenalty, FrequencyPenalty = FrequencyPenalty, RepetitionPenalty = RepetitionPenalty,
        MaxTokens = MaxTokens, MinTokens = MinTokens, Stop = Stop, StopTokenIds = StopTokenIds,
        IgnoreEos = IgnoreEos, Logprobs = Logprobs,
    };
}
