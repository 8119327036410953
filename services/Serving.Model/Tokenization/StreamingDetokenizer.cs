namespace Serving.Model.Tokenization;

/// <summary>
/// Turns one sequence's generated tokens into text increments. Text is emitted only once it is stable: a window
/// that ends in U+FFFD (a UTF-8 character split across tokens) is held back until the next tokens complete it.
/// </summary>
public sealed class StreamingDetokenizer
{
    private const char Replacement = '\uFFFD';

    private readonly TextTokenizer tokenizer;
    private readonly bool skipSpecialTokens;
    private readonly List<int> ids = [];
    private int prefixOffset;
    private int readOffset;

    public StreamingDetokenizer(TextTokenizer tokenizer, bool skipSpecialTokens = true)
    {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    public IReadOnlyList<int> TokenIds => ids;

    /// <summary>Adds a token and returns the text it completes (possibly empty).</summary>
    public string Append(int tokenId)
    {
        ids.Add(tokenId);
        // Decoding from a few tokens back keeps context-dependent spacing (SentencePiece's leading '▁') right.
        string prefix = tokenizer.Decode(ids, prefixOffset, readOffset - prefixOffset, skipSpecialTokens);
        string full = tokenizer.Decode(ids, prefixOffset, ids.Count - prefixOffset, skipSpecialTokens);
        if (full.Length <= prefix.Length || full[^1] == Replacement || !full.StartsWith(prefix, StringComparison.Ordinal))
            return "";
        prefixOffset = readOffset;
        readOffset = ids.Count;
        return full[prefix.Length..];
    }

    /// <summary>Returns whatever is still held back (e.g. a sequence that really ends in an invalid byte).</summary>
    public string Flush()
    {
        string prefix = tokenizer.Decode(ids, prefixOffset, readOffset - prefixOffset, skipSpecialTokens);
        string full = tokenizer.Decode(ids, prefixOffset, ids.Count - prefixOffset, skipSpecialTokens);
        prefixOffset = readOffset = ids.Count;
        return full.Length > prefix.Length ? full[prefix.Length..] : "";
    }
}
