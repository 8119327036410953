using System.Globalization;
using System.Runtime.CompilerServices;
using Serving.Model.Tokenization;

namespace Serving.GatewayBench.Fake;

/// <summary>
/// A tokenizer whose text for a generated token is the moment it was first detokenized (monotonic clock ticks, with a
/// leading space) — right after the step that sampled it — so the client can measure each token's delivery time.
/// The stamp is kept per token of each stream, so decoding the same tokens again gives the same text.
/// </summary>
internal sealed class ClockTokenizer : ITokenizerBackend
{
    readonly ConditionalWeakTable<IReadOnlyList<int>, List<string>> stamps = [];

    public static TextTokenizer Create(int vocabSize) => TextTokenizer.Create(new ClockTokenizer(vocabSize));

    ClockTokenizer(int vocabSize) => VocabSize = vocabSize;

    public int VocabSize { get; }
    public bool DefaultAddBos => false;
    public int? DefaultBosId => null;
    public int? DefaultEosId => null;
    public int? TokenToId(string token) => null;
    public string? TokenText(int id) => null;
    public bool IsSpecial(int id) => false;
    public byte[] TokenBytes(int id) => [];
    public IReadOnlyList<int> Encode(string text) => throw new NotSupportedException("the clock tokenizer only detokenizes.");

    public string Decode(IReadOnlyList<int> ids, int start, int count, bool skipSpecialTokens)
    {
        var stream = stamps.GetValue(ids, _ => []);
        while (stream.Count < start + count)
            stream.Add(" " + Clock.Now().ToString(CultureInfo.InvariantCulture));
        return string.Concat(stream.Skip(start).Take(count));
    }
}
