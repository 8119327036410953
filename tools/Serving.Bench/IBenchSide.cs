namespace Serving.Bench;

/// <summary>One implementation under test: prefills a prompt alone, or decodes one step for a slice of a pool of sequences.</summary>
internal interface IBenchSide : IDisposable
{
    string Name { get; }

    /// <summary>Prefills a fresh sequence (logits for its last token only), then drops it; returns elapsed ms.</summary>
    double Prefill(IReadOnlyList<int> tokens);

    /// <summary>Fills the decode pool: one sequence per prompt, each prefilled in full.</summary>
    void PrepareDecodePool(IReadOnlyList<int[]> prompts);

    /// <summary>One decode step for pool sequences [first, first + count), each appending <paramref name="token"/>; returns elapsed ms.</summary>
    double DecodeStep(int first, int count, int token);
}
