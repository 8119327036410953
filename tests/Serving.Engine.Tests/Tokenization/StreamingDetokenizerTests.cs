using Serving.Model.Tokenization;

namespace Serving.Engine.Tests.Tokenization;

public sealed class StreamingDetokenizerTests
{
    private static TextTokenizer Tokenizer => DefaultModelFixture.Tokenizer;

    [Theory]
    [InlineData("Grüße aus Köln: 日本語 🎉🚀 fin")]
    [InlineData("🇫🇷👩‍💻 多字节字符")]
    [InlineData("plain text only")]
    public void Append_EveryToken_ConcatenatesToFullTextWithoutReplacementChars(string text)
    {
        var ids = Tokenizer.Encode(text);
        var stream = Tokenizer.CreateStreamingDetokenizer();

        var pieces = ids.Select(stream.Append).ToList();
        pieces.Add(stream.Flush());

        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void Append_CharacterSplitAcrossTokens_IsHeldBackUntilComplete()
    {
        const string text = "🚀";
        var ids = Tokenizer.Encode(text);
        Assert.True(ids.Count > 1, "the emoji should span several byte-level tokens");

        var stream = Tokenizer.CreateStreamingDetokenizer();
        for (int i = 0; i < ids.Count - 1; i++) Assert.Equal("", stream.Append(ids[i]));
        Assert.Equal(text, stream.Append(ids[^1]));
    }

    [Fact]
    public void Append_SpecialToken_IsSkippedByDefaultAndShownOnRequest()
    {
        var ids = Tokenizer.Encode("Hi<|endoftext|>");
        var skipping = Tokenizer.CreateStreamingDetokenizer();
        var showing = Tokenizer.CreateStreamingDetokenizer(skipSpecialTokens: false);

        Assert.Equal("Hi", string.Concat(ids.Select(skipping.Append)));
        Assert.Equal("Hi<|endoftext|>", string.Concat(ids.Select(showing.Append)));
    }
}
