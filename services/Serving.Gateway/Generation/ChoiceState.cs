using System.Text;
using Serving.Contracts;

namespace Serving.Gateway.Generation;

/// <summary>What one choice has produced so far: its text, token logprobs, token count and how it ended.</summary>
internal sealed class ChoiceState
{
    public StringBuilder Text { get; } = new();
    public List<TokenLogprobMessage> Logprobs { get; } = [];
    public int OutputTokens { get; private set; }
    /// <summary>Prompt tokens the worker that prefilled this choice found in its prefix cache.</summary>
    public int CachedPromptTokens { get; private set; }
    /// <summary>Length of <see cref="Text"/> in code points (completions' text_offset unit).</summary>
    public int TextCodePoints { get; private set; }
    public string? FinishReason { get; private set; }
    /// <summary>Whether a chunk of this choice has been streamed yet (the first carries the role or echoed prompt).</summary>
    public bool Opened { get; set; }

    public void Add(TokenChunk chunk)
    {
        Text.Append(chunk.Text);
        TextCodePoints += LogprobsFormatter.CodePoints(chunk.Text);
        if (chunk.Logprobs is { } lps)
            Logprobs.AddRange(lps);
        OutputTokens = chunk.OutputTokens;
        CachedPromptTokens = Math.Max(CachedPromptTokens, chunk.CachedPromptTokens);
        if (chunk.Finished)
            FinishReason = chunk.FinishReason;
    }
}
