namespace Serving.Model.Tokenization;

/// <summary>The model-specific half of <see cref="TextTokenizer"/>: byte-level BPE or SentencePiece.</summary>
internal interface ITokenizerBackend
{
    int VocabSize { get; }

    /// <summary>Whether the tokenizer itself asks for a leading BOS when the config is silent.</summary>
    bool DefaultAddBos { get; }

    int? DefaultBosId { get; }

    int? DefaultEosId { get; }

    int? TokenToId(string token);

    string? TokenText(int id);

    bool IsSpecial(int id);

    /// <summary>The bytes this token contributes to decoded text on its own (a leading space included); empty when unknown.</summary>
    byte[] TokenBytes(int id);

    IReadOnlyList<int> Encode(string text);

    string Decode(IReadOnlyList<int> ids, int start, int count, bool skipSpecialTokens);
}
