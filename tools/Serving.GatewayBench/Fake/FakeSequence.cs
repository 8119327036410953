namespace Serving.GatewayBench.Fake;

/// <summary>One request in the fake engine: how many tokens it has and may have.</summary>
internal sealed class FakeSequence(int promptTokens, int maxTokens, int resumed)
{
    public int PromptTokens { get; } = promptTokens;
    public int MaxTokens { get; } = maxTokens;
    /// <summary>Tokens delivered by another engine before this one took the request over.</summary>
    public int Resumed { get; } = resumed;
    public int Output { get; set; } = resumed;
}
