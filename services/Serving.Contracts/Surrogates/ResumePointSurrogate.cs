using Serving.Model.Requests;

namespace Serving.Contracts.Surrogates;

/// <summary><see cref="ResumePoint"/> on the wire.</summary>
[GenerateSerializer]
public struct ResumePointSurrogate
{
    [Id(0)] public int[] OutputTokens;
    [Id(1)] public int EmittedChars;
}

[RegisterConverter]
public sealed class ResumePointConverter : IConverter<ResumePoint, ResumePointSurrogate>
{
    public ResumePoint ConvertFromSurrogate(in ResumePointSurrogate s) => new(s.OutputTokens ?? [], s.EmittedChars);

    public ResumePointSurrogate ConvertToSurrogate(in ResumePoint r) => new() { OutputTokens = [.. r.OutputTokens], EmittedChars = r.EmittedChars };
}
