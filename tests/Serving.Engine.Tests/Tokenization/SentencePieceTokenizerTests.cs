using Serving.Model.Tokenization;

namespace Serving.Engine.Tests.Tokenization;

public sealed class SentencePieceTokenizerTests
{
    [Fact]
    public void Load_TokenizerModel_EncodesWithBosAndDecodes()
    {
        using var dir = new TempFolder();
        SentencePieceModelFile.Write(dir.File("tokenizer.model"));

        var tokenizer = TextTokenizer.Load(dir.Path);

        Assert.Equal(SentencePieceModelFile.Pieces.Length, tokenizer.VocabSize);
        Assert.Equal(1, tokenizer.BosTokenId);
        Assert.Equal(new HashSet<int> { 2 }, tokenizer.EosTokenIds);
        var ids = tokenizer.Encode("hello world");
        Assert.Equal(new[] { 1, 15, 20 }, ids); // <s> ▁hello ▁world
        Assert.Equal("hello world", tokenizer.Decode(ids));
        Assert.Equal("▁hello", tokenizer.TokenText(15));

        var stream = tokenizer.CreateStreamingDetokenizer();
        Assert.Equal("hello world", string.Concat(ids.Select(stream.Append)) + stream.Flush());
    }
}
