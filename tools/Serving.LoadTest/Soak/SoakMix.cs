namespace Serving.LoadTest.Soak;

/// <summary>What the load is made of: the share of each kind of request (each drawn independently per request).</summary>
internal sealed record SoakMix
{
    public double ChatShare { get; init; } = 0.5;
    public double StreamShare { get; init; } = 0.6;
    /// <summary>Requests the client abandons: a stream after a few chunks, a plain request after a short wait.</summary>
    public double DisconnectShare { get; init; } = 0.1;
    /// <summary>Requests with n in 2..<see cref="MaxN"/>.</summary>
    public double MultiChoiceShare { get; init; } = 0.25;
    public int MaxN { get; init; } = 4;
    /// <summary>Prompts of <see cref="LongPromptMinWords"/>..<see cref="LongPromptMaxWords"/> words (about as many tokens).</summary>
    public double LongPromptShare { get; init; } = 0.05;
    public int LongPromptMinWords { get; init; } = 1500;
    public int LongPromptMaxWords { get; init; } = 3000;
    /// <summary>Requests with one deliberate mistake, which must get a 4xx OpenAI error.</summary>
    public double InvalidShare { get; init; } = 0.03;
    public int MaxOutputTokens { get; init; } = 128;
}
