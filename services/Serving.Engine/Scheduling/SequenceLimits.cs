namespace Serving.Engine.Scheduling;

/// <summary>What an engine can hold: the vocabulary, the context length and the KV pool.</summary>
internal sealed record SequenceLimits(int VocabSize, int MaxModelLength, int BlockSize, int NumBlocks)
{
    public void CheckTokens(IEnumerable<int> tokens, string what, string parameter)
    {
        foreach (var t in tokens)
            if (t < 0 || t >= VocabSize)
                throw new ArgumentException($"{what} {t} is outside the vocabulary [0, {VocabSize}).", parameter);
    }
}
