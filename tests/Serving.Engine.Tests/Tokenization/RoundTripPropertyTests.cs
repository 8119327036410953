using System.Text;
using System.Text.Json;
using CsCheck;
using Serving.Model.Tokenization;

namespace Serving.Engine.Tests.Tokenization;

/// <summary>
/// The default model's byte-level BPE tokenizer loses nothing: random text and random bytes decode to what was encoded.
/// A failure prints CsCheck's seed; pass it as <c>seed:</c> (or set CsCheck_Seed) to replay that case.
/// </summary>
public sealed class RoundTripPropertyTests
{
    private static TextTokenizer Tokenizer => DefaultModelFixture.Tokenizer;

    // Pieces of text weighted toward what the split pattern and the byte-level alphabet treat specially.
    private static readonly Gen<string> Piece = Gen.Frequency(
        (6, Gen.Int[0x20, 0x7E].Select(Character)),
        (2, Gen.Char["\t\n\r\v\f \u0085\u00A0\u1680\u2028\u3000"].Select(c => c.ToString())),
        (1, Gen.Int[0x00, 0x1F].Select(Character)),
        (2, Gen.Int[0x80, 0x24F].Select(Character)),
        (1, Gen.Int[0x300, 0x36F].Select(Character)),
        (2, Gen.Int[0x4E00, 0x9FFF].Select(Character)),
        (2, Gen.Int[0x1F300, 0x1FAFF].Select(Character)),
        (1, Gen.Int[0, 0x10FFFF].Where(cp => cp is < 0xD800 or > 0xDFFF).Select(Character)),
        (1, Gen.OneOf("<|endoftext|>", "<|endoftext", "'s", "'LL", "123456", "  \n", "\r\n", "\u200D", "\uFE0F", "\uFFFD")));

    private static readonly Gen<string> Text = Piece.Array[0, 80].Select(pieces => string.Concat(pieces));

    [Fact]
    public void EncodeDecode_RandomUnicodeText_RoundTrips()
    {
        Text.Sample(
            text => Assert.Equal(text, Tokenizer.Decode(Tokenizer.Encode(text, addSpecialTokens: false), skipSpecialTokens: false)),
            iter: 2000,
            print: Quote);
    }

    [Fact]
    public void Encode_RandomUnicodeText_TokenBytesConcatenateToItsUtf8()
    {
        Text.Sample(
            text => Assert.Equal(Encoding.UTF8.GetBytes(text), Tokenizer.Encode(text, addSpecialTokens: false).SelectMany(Tokenizer.TokenBytes).ToArray()),
            iter: 2000,
            print: Quote);
    }

    [Fact]
    public void StreamingDetokenizer_RandomUnicodeText_ConcatenatesToIt()
    {
        Text.Sample(
            text =>
            {
                var stream = Tokenizer.CreateStreamingDetokenizer(skipSpecialTokens: false);
                var pieces = Tokenizer.Encode(text, addSpecialTokens: false).Select(stream.Append).ToList();
                pieces.Add(stream.Flush());
                Assert.Equal(text, string.Concat(pieces));
            },
            iter: 1000,
            print: Quote);
    }

    [Fact]
    public void EncodeDecode_RandomBytes_RoundTripTheirUtf8Reading()
    {
        // Bytes that are not UTF-8 read as U+FFFD; the text read is what must come back, byte for byte.
        Gen.Byte.Array[0, 200].Sample(
            bytes =>
            {
                var text = Encoding.UTF8.GetString(bytes);
                var ids = Tokenizer.Encode(text, addSpecialTokens: false);
                Assert.Equal(text, Tokenizer.Decode(ids, skipSpecialTokens: false));
                Assert.Equal(Encoding.UTF8.GetBytes(text), ids.SelectMany(Tokenizer.TokenBytes).ToArray());
            },
            iter: 2000,
            print: bytes => Convert.ToHexString(bytes));
    }

    [Fact]
    public void EncodeDecode_AnyDotNetString_RoundTripsAsUtf8Would()
    {
        // Including lone surrogates, which UTF-8 cannot carry: they come back as U+FFFD, as Encoding.UTF8 reads them.
        Gen.String.Sample(
            text => Assert.Equal(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)), Tokenizer.Decode(Tokenizer.Encode(text, addSpecialTokens: false), skipSpecialTokens: false)),
            iter: 2000,
            print: Quote);
    }

    private static string Character(int codePoint) => char.ConvertFromUtf32(codePoint);

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
