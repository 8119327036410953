namespace Serving.Model.Tokenization;

/// <summary>
/// A model folder's tokenizer: tokenizer.json (byte-level BPE) or tokenizer.model (SentencePiece), with BOS/EOS
/// taken from the folder's configs the way Hugging Face transformers reads them.
/// </summary>
public sealed class TextTokenizer
{
    private readonly ITokenizerBackend backend;
    private readonly bool addBos;

    private TextTokenizer(ITokenizerBackend backend, TokenizerConfig config)
    {
        this.backend = backend;
        BosTokenId = config.GenerationBosId
            ?? (config.BosToken is { } bos ? backend.TokenToId(bos) : null)
            ?? config.ModelBosId
            ?? backend.DefaultBosId;
        addBos = (config.AddBosToken ?? backend.DefaultAddBos) && BosTokenId is not null;

        var eos = new HashSet<int>(config.GenerationEosIds);
        if (config.EosToken is { } eosToken && backend.TokenToId(eosToken) is { } eosId) eos.Add(eosId);
        if (eos.Count == 0) eos.UnionWith(config.ModelEosIds);
        if (eos.Count == 0 && backend.DefaultEosId is { } fallback) eos.Add(fallback);
        EosTokenIds = eos;
    }

    public int VocabSize => backend.VocabSize;

    public int? BosTokenId { get; }

    public IReadOnlySet<int> EosTokenIds { get; }

    /// <summary>Whether <see cref="Encode"/> prepends BOS when asked to add special tokens.</summary>
    internal bool AddsBos => addBos;

    /// <summary>A tokenizer around another backend, with the backend's own BOS/EOS defaults (a benchmark's stand-in).</summary>
    internal static TextTokenizer Create(ITokenizerBackend backend) =>
        new(backend, new TokenizerConfig(null, null, null, null, [], null, []));

    /// <summary>
    /// The longest one match of a byte-level BPE tokenizer's split pattern may take (<see cref="TokenizerTimeoutException"/>
    /// past it). The shipped patterns match a piece of ordinary text in microseconds, and all 4 MiB of a request body in
    /// well under a second.
    /// </summary>
    public static TimeSpan DefaultMatchTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Loads from tokenizer.json when it is byte-level BPE, else from a SentencePiece tokenizer.model.</summary>
    public static TextTokenizer Load(string modelFolder) => Load(modelFolder, DefaultMatchTimeout);

    /// <summary>
    /// Loads as <see cref="Load(string)"/>, with the time one match of the split pattern may take
    /// (<see cref="System.Text.RegularExpressions.Regex.InfiniteMatchTimeout"/> for none).
    /// </summary>
    public static TextTokenizer Load(string modelFolder, TimeSpan matchTimeout)
    {
        string json = Path.Combine(modelFolder, "tokenizer.json");
        string sentencePiece = Path.Combine(modelFolder, "tokenizer.model");
        string reason = "no tokenizer.json";
        ITokenizerBackend? backend = null;
        if (File.Exists(json) && HfTokenizerJson.TryLoad(json, out reason) is { } parsed)
            backend = new ByteLevelBpeBackend(parsed, matchTimeout);
        else if (File.Exists(sentencePiece))
            backend = new SentencePieceBackend(sentencePiece);
        if (backend is null)
            throw new NotSupportedException($"{modelFolder}: no usable tokenizer ({reason}; no tokenizer.model)");
        return new TextTokenizer(backend, TokenizerConfig.Load(modelFolder));
    }

    /// <summary>
    /// Encodes text; with <paramref name="addSpecialTokens"/>, prepends BOS when the model's config asks for it. Throws
    /// <see cref="TokenizerTimeoutException"/> when the split pattern runs past its match timeout on the text.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true)
    {
        var ids = backend.Encode(text);
        if (!addSpecialTokens || !addBos) return ids;
        var withBos = new List<int>(ids.Count + 1) { BosTokenId!.Value };
        withBos.AddRange(ids);
        return withBos;
    }

    public string Decode(IReadOnlyList<int> ids, bool skipSpecialTokens = true) =>
        backend.Decode(ids, 0, ids.Count, skipSpecialTokens);

    /// <summary>The vocabulary entry for <paramref name="id"/> as stored (e.g. "Ġhello"), or null if unknown.</summary>
    public string? TokenText(int id) => backend.TokenText(id);

    public bool IsSpecial(int id) => backend.IsSpecial(id);

    /// <summary>
    /// The bytes one token adds to the text — a leading space included, and a piece of a multi-byte character as
    /// just those bytes (what OpenAI's logprob <c>bytes</c> carry).
    /// </summary>
    public byte[] TokenBytes(int id) => backend.TokenBytes(id);

    public StreamingDetokenizer CreateStreamingDetokenizer(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);

    internal string Decode(IReadOnlyList<int> ids, int start, int count, bool skipSpecialTokens) =>
        backend.Decode(ids, start, count, skipSpecialTokens);
}
