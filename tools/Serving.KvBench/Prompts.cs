using Serving.Engine.Core;

namespace Serving.KvBench;

/// <summary>The same prompt of a given length on both sides: the receiver reserves for exactly what the sender prefills.</summary>
internal static class Prompts
{
    const string Paragraph =
        "The river bends twice before it reaches the old mill, where the wheel still turns on windy days. " +
        "Travellers stop at the bridge to count the swallows, argue about the weather, and read the faded sign. ";

    public static IReadOnlyList<int> Make(LlmEngine engine, int tokens)
    {
        var one = engine.Encode(Paragraph);
        var repeated = string.Concat(Enumerable.Repeat(Paragraph, tokens / Math.Max(1, one.Count - 1) + 2));
        var all = engine.Encode(repeated);
        if (all.Count < tokens)
            throw new InvalidOperationException($"prompt text gives {all.Count} tokens, {tokens} wanted.");
        return all.Take(tokens).ToArray();
    }
}
