using System.Text.Json.Nodes;
using Serving.Engine.DefaultModel;
using Serving.Model.Tokenization;

namespace Serving.Engine.Tests.Tokenization;

public sealed class TextTokenizerTests
{
    private static TextTokenizer Tokenizer => DefaultModelFixture.Tokenizer;

    [Fact]
    public void Load_DefaultModel_HasGpt2VocabularyAndEndOfText()
    {
        Assert.Equal(50257, Tokenizer.VocabSize);
        Assert.Equal(50256, Tokenizer.BosTokenId);
        Assert.Equal(new HashSet<int> { 50256 }, Tokenizer.EosTokenIds);
        Assert.Equal("<|endoftext|>", Tokenizer.TokenText(50256));
        Assert.Equal("Ġworld", Tokenizer.TokenText(995));
        Assert.Null(Tokenizer.TokenText(60000));
    }

    [Fact]
    public void Encode_KnownText_MatchesGpt2Ids()
    {
        // Reference ids from GPT-2's tokenizer.
        Assert.Equal(new[] { 15496, 995 }, Tokenizer.Encode("Hello world"));
        Assert.Equal(new[] { 464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13 },
            Tokenizer.Encode("The quick brown fox jumps over the lazy dog."));
    }

    [Theory]
    [InlineData("plain ASCII, with punctuation & digits 12345!")]
    [InlineData("Crème brûlée à la française, naïve café")]
    [InlineData("日本語のテキストと中文文本")]
    [InlineData("emoji 🎉🚀 and flags 🇫🇷 and ZWJ 👩‍💻")]
    [InlineData("  leading spaces\n\ttabs and\r\nnewlines  ")]
    public void EncodeDecode_RoundTripsText(string text)
    {
        var ids = Tokenizer.Encode(text);
        Assert.NotEmpty(ids);
        Assert.Equal(text, Tokenizer.Decode(ids));
    }

    [Fact]
    public void Encode_DefaultModel_AddsNoBosBecauseConfigSaysSo()
    {
        Assert.Equal(Tokenizer.Encode("hi", addSpecialTokens: false), Tokenizer.Encode("hi"));
    }

    [Fact]
    public void Encode_SpecialTokenInText_IsOneIdAndDecodeCanSkipIt()
    {
        var ids = Tokenizer.Encode("a<|endoftext|>b");
        Assert.Equal(new[] { 64, 50256, 65 }, ids);
        Assert.Equal("ab", Tokenizer.Decode(ids));
        Assert.Equal("a<|endoftext|>b", Tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void Load_ConfigWithAddBosAndEosList_UsesThem()
    {
        using var dir = new TempFolder();
        foreach (var file in new[] { "tokenizer.json", "config.json" })
            File.Copy(Path.Combine(DefaultModelFixture.Folder, file), dir.File(file));
        File.WriteAllText(dir.File("tokenizer_config.json"),
            new JsonObject { ["add_bos_token"] = true, ["bos_token"] = new JsonObject { ["content"] = "<|endoftext|>" }, ["eos_token"] = "!" }.ToJsonString());
        File.WriteAllText(dir.File("generation_config.json"), """{"eos_token_id": [13, 30]}""");

        var tokenizer = TextTokenizer.Load(dir.Path);

        Assert.Equal(50256, tokenizer.BosTokenId);
        Assert.Equal(new HashSet<int> { 0, 13, 30 }, tokenizer.EosTokenIds); // "!" is id 0
        Assert.Equal(new[] { 50256, 15496 }, tokenizer.Encode("Hello"));
        Assert.Equal(new[] { 15496 }, tokenizer.Encode("Hello", addSpecialTokens: false));
    }

    [Fact]
    public void Load_FolderWithoutTokenizer_Throws()
    {
        using var dir = new TempFolder();
        Assert.Throws<NotSupportedException>(() => TextTokenizer.Load(dir.Path));
    }

    [Fact]
    public void Load_SplitRegexPreTokenizer_UsesItsPattern()
    {
        // A Llama-3 style file: Split(regex) + ByteLevel(use_regex=false); digits group in threes.
        using var dir = new TempFolder();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(DefaultModelFixture.Folder, "tokenizer.json")))!;
        json["pre_tokenizer"] = JsonNode.Parse($$"""
            {"type":"Sequence","pretokenizers":[
              {"type":"Split","pattern":{"Regex":{{System.Text.Json.JsonSerializer.Serialize(PreTokenizerPatterns.Llama3)}}},"behavior":"Isolated","invert":false},
              {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}
            """);
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());

        var tokenizer = TextTokenizer.Load(dir.Path);
        var ids = tokenizer.Encode("1234567");

        Assert.Equal(new[] { "123", "456", "7" }, ids.Select(id => tokenizer.TokenText(id)));
        Assert.Equal("1234567", tokenizer.Decode(ids));
    }
}
