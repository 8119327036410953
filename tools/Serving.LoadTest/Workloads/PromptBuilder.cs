namespace Serving.LoadTest.Workloads;

/// <summary>
/// Makes prompts of a given length. With the target's tokenizer: a slice, at a random offset, of the token ids of a
/// long word text, decoded back to text — real tokens of that tokenizer, different for every request (so prefix
/// caching does not flatter the server). Without one: that many random words, an approximation.
/// </summary>
internal sealed class PromptBuilder
{
    const int PoolWords = 4096;
    readonly TargetTokenizer? tokenizer;
    readonly int[] pool;

    PromptBuilder(TargetTokenizer? tokenizer, int[] pool)
    {
        this.tokenizer = tokenizer;
        this.pool = pool;
    }

    /// <summary>Whether prompt lengths are exact token counts of the target's tokenizer.</summary>
    public bool UsesServerTokenizer => tokenizer is not null;

    public static async Task<PromptBuilder> CreateAsync(TargetTokenizer? tokenizer, Random random, CancellationToken cancellationToken)
    {
        if (tokenizer is null)
            return new PromptBuilder(null, []);
        var pool = await tokenizer.EncodeAsync(WordCorpus.Text(PoolWords, random), cancellationToken);
        return new PromptBuilder(pool.Length > 0 ? tokenizer : null, pool);
    }

    public async Task<string> BuildAsync(int tokens, Random random, CancellationToken cancellationToken)
    {
        if (tokenizer is null)
            return WordCorpus.Text(tokens, random);
        var start = random.Next(pool.Length);
        var ids = Enumerable.Range(0, tokens).Select(i => pool[(start + i) % pool.Length]).ToArray();
        return await tokenizer.DecodeAsync(ids, cancellationToken);
    }

    /// <summary>A text's length in the target's tokens, or an estimate without a tokenizer.</summary>
    public async Task<int> CountAsync(string text, CancellationToken cancellationToken) =>
        tokenizer is null ? WordCorpus.EstimateTokens(text) : (await tokenizer.EncodeAsync(text, cancellationToken)).Length;
}
