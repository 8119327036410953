using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Serving.Model.Tokenization;

/// <summary>Byte-level BPE (GPT-2, Llama-3, Qwen2) on Microsoft.ML.Tokenizers, built from tokenizer.json.</summary>
internal sealed class ByteLevelBpeBackend : ITokenizerBackend
{
    private readonly BpeTokenizer bpe;
    private readonly Dictionary<string, int> tokenToId;
    private readonly string?[] idToToken;
    private readonly Dictionary<int, AddedToken> added;
    private readonly string splitPattern;
    private readonly TimeSpan matchTimeout;

    // The split pattern comes from the model's tokenizer.json and the text from callers, so one match is bounded in
    // time. (RegexOptions.NonBacktracking would bound it by construction, but rejects the patterns' (?!\S) lookahead.)
    public ByteLevelBpeBackend(HfTokenizerJson json, TimeSpan matchTimeout)
    {
        splitPattern = json.SplitPattern;
        this.matchTimeout = matchTimeout;
        tokenToId = new Dictionary<string, int>(json.Vocab, StringComparer.Ordinal);
        foreach (var token in json.AddedTokens) tokenToId[token.Content] = token.Id;
        added = json.AddedTokens.ToDictionary(t => t.Id);

        VocabSize = tokenToId.Count == 0 ? 0 : tokenToId.Values.Max() + 1;
        idToToken = new string?[VocabSize];
        foreach (var (token, id) in tokenToId) idToToken[id] = token;

        var specials = json.AddedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        var preTokenizer = new RegexPreTokenizer(
            new Regex(json.SplitPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, matchTimeout), specials);
        bpe = BpeTokenizer.Create(new BpeOptions(json.Vocab)
        {
            Merges = json.Merges,
            SpecialTokens = specials,
            PreTokenizer = preTokenizer,
            ByteLevel = true,
        });
        if (json.TemplateBosToken is { } bos && tokenToId.TryGetValue(bos, out int bosId))
        {
            DefaultAddBos = true;
            DefaultBosId = bosId;
        }
    }

    public int VocabSize { get; }

    public bool DefaultAddBos { get; }

    public int? DefaultBosId { get; }

    public int? DefaultEosId => null;

    public int? TokenToId(string token) => tokenToId.TryGetValue(token, out int id) ? id : null;

    public string? TokenText(int id) => id >= 0 && id < idToToken.Length ? idToToken[id] : null;

    public bool IsSpecial(int id) => added.TryGetValue(id, out var t) && t.Special;

    public IReadOnlyList<int> Encode(string text)
    {
        try
        {
            return bpe.EncodeToIds(text);
        }
        catch (RegexMatchTimeoutException e)
        {
            throw new TokenizerTimeoutException(splitPattern, matchTimeout, e);
        }
    }

    // Decoded here rather than by the library so partial UTF-8 sequences become U+FFFD predictably,
    // which the streaming detokenizer relies on.
    public byte[] TokenBytes(int id)
    {
        if (this.added.TryGetValue(id, out var added))
            return Encoding.UTF8.GetBytes(added.Content);
        if (TokenText(id) is not { } token)
            return [];
        var bytes = new List<byte>(token.Length);
        foreach (char c in token)
        {
            if (ByteLevelAlphabet.TryDecode(c, out byte b)) bytes.Add(b);
            else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return [.. bytes];
    }

    public string Decode(IReadOnlyList<int> ids, int start, int count, bool skipSpecialTokens)
    {
        var bytes = new List<byte>(count * 4);
        for (int i = start; i < start + count; i++)
        {
            int id = ids[i];
            if (this.added.TryGetValue(id, out var added))
            {
                if (!(added.Special && skipSpecialTokens)) bytes.AddRange(Encoding.UTF8.GetBytes(added.Content));
                continue;
            }
            // Ids past the tokenizer's vocabulary (padded embedding rows) decode to nothing.
            if (TokenText(id) is not { } token) continue;
            foreach (char c in token)
            {
                if (ByteLevelAlphabet.TryDecode(c, out byte b)) bytes.Add(b);
                else bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }
}
