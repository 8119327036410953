namespace Serving.Model.Tokenization;

/// <summary>
/// Turns one sequence's generated tokens into text increments. Text is emitted only once it is stable: a window
/// that ends in U+FFFD (a UTF-8 character split across tokens) is held back until the next tokens complete it.
/// </summary>
public sealed class StreamingDetokenizer
{
    private const char Replacement = '\uFFFD';

    private readonly TextTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly List<int> _ids = [];
    private int _prefixOffset;
    private int _readOffset;

    public StreamingDetokenizer(TextTokenizer tokenizer, bool skipSpecialTokens = true)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    public IReadOnlyList<int> TokenIds => _ids;

    /// <summary>Adds a token and returns the text it completes (possibly empty).</summary>
    public string Append(int tokenId)
    {
        _ids.Add(tokenId);
        // Decoding from a few tokens back keeps context-dependent spacing (SentencePiece's leading '▁') right.
        string prefix = _tokenizer.Decode(_ids, _prefixOffset, _readOffset - _prefixOffset, _skipSpecialTokens);
        string full = _tokenizer.Decode(_ids, _prefixOffset, _ids.Count - _prefixOffset, _skipSpecialTokens);
        if (full.Length <= prefix.Length || full[^1] == Replacement || !full.StartsWith(prefix, StringComparison.Ordinal))
            return "";
        _prefixOffset = _readOffset;
        _readOffset = _ids.Count;
        return full[prefix.Length..];
    }

    /// <summary>Returns whatever is still held back (e.g. a sequence that really ends in an invalid byte).</summary>
    public string Flush()
    {
        string prefix = _tokenizer.Decode(_ids, _prefixOffset, _readOffset - _prefixOffset, _skipSpecialTokens);
        string full = _tokenizer.Decode(_ids, _prefixOffset, _ids.Count - _prefixOffset, _skipSpecialTokens);
        _prefixOffset = _readOffset = _ids.Count;
        return full.Length > prefix.Length ? full[prefix.Length..] : "";
    }
}
