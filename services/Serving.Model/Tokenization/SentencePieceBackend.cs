using Microsoft.ML.Tokenizers;

namespace Serving.Model.Tokenization;

/// <summary>SentencePiece BPE (Llama-2 style tokenizer.model) through <see cref="LlamaTokenizer"/>.</summary>
internal sealed class SentencePieceBackend : ITokenizerBackend
{
    private readonly LlamaTokenizer sp;
    private readonly string?[] idToToken;

    public SentencePieceBackend(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        // BOS is added by TextTokenizer from the config, so the library must not add it too.
        sp = LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false);
        VocabSize = sp.Vocabulary.Count == 0 ? 0 : sp.Vocabulary.Values.Max() + 1;
        idToToken = new string?[VocabSize];
        foreach (var (token, id) in sp.Vocabulary) idToToken[id] = token;
    }

    public int VocabSize { get; }

    public bool DefaultAddBos => true;

    public int? DefaultBosId => sp.BeginningOfSentenceId;

    public int? DefaultEosId => sp.EndOfSentenceId;

    public int? TokenToId(string token) => sp.Vocabulary.TryGetValue(token, out int id) ? id : null;

    public string? TokenText(int id) => id >= 0 && id < idToToken.Length ? idToToken[id] : null;

    public bool IsSpecial(int id) =>
        id == sp.BeginningOfSentenceId || id == sp.EndOfSentenceId || id == sp.UnknownId;

    public IReadOnlyList<int> Encode(string text) =>
        sp.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);

    // "▁" marks a space; "<0xNN>" pieces are raw bytes (byte fallback).
    public byte[] TokenBytes(int id)
    {
        if (TokenText(id) is not { } piece)
            return [];
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var raw))
            return [raw];
        return System.Text.Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));
    }

    public string Decode(IReadOnlyList<int> ids, int start, int count, bool skipSpecialTokens)
    {
        var window = new int[count];
        for (int i = 0; i < count; i++) window[i] = ids[start + i];
        return sp.Decode(window.Where(id => id >= 0 && id < VocabSize), considerSpecialTokens: !skipSpecialTokens);
    }
}
