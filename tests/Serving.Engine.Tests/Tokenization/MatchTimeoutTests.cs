using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Model.Tokenization;

namespace Serving.Engine.Tests.Tokenization;

/// <summary>The split pattern comes from the model's tokenizer.json: one that backtracks without end must fail, not hang.</summary>
public sealed class MatchTimeoutTests
{
    // Nested quantifiers: on a run of n 'a's with no 'b', the first alternative tries about 2**n ways before the
    // others match. The rest of the pattern covers everything else.
    private const string CatastrophicPattern = @"(a+)+b|\s+|.";

    [Fact]
    public async Task Encode_SplitPatternBacktrackingWithoutEnd_ThrowsTokenizerTimeoutException()
    {
        using var dir = FolderWithSplitPattern(CatastrophicPattern);
        var tokenizer = TextTokenizer.Load(dir.Path, TimeSpan.FromMilliseconds(100));

        // 2**40 steps: hours without a timeout, which the 30 s wait turns into a failure (a plain TimeoutException).
        var encoding = Task.Run(() => tokenizer.Encode(new string('a', 40)));
        var error = await Assert.ThrowsAsync<TokenizerTimeoutException>(() => encoding.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(CatastrophicPattern, error.Pattern);
        Assert.Equal(TimeSpan.FromMilliseconds(100), error.MatchTimeout);
        Assert.Contains("match timeout (100 ms)", error.Message);
        Assert.Contains(CatastrophicPattern, error.Message);
    }

    [Fact]
    public void Encode_SamePatternOnTextItHandles_Tokenizes()
    {
        using var dir = FolderWithSplitPattern(CatastrophicPattern);
        var tokenizer = TextTokenizer.Load(dir.Path, TimeSpan.FromMilliseconds(100));

        Assert.Equal("aab xy", tokenizer.Decode(tokenizer.Encode("aab xy")));
    }

    [Fact]
    public void Load_DefaultModel_BoundsEachMatchByTheDefaultTimeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), TextTokenizer.DefaultMatchTimeout);

        // A mebibyte of whitespace is one match, and well inside the default.
        var text = new string(' ', 1 << 20) + "a";
        Assert.Equal(text, DefaultModelFixture.Tokenizer.Decode(DefaultModelFixture.Tokenizer.Encode(text)));
    }

    private static TempFolder FolderWithSplitPattern(string pattern)
    {
        var dir = new TempFolder();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(DefaultModelFixture.Folder, "tokenizer.json")))!;
        json["pre_tokenizer"] = JsonNode.Parse($$"""
            {"type":"Sequence","pretokenizers":[
              {"type":"Split","pattern":{"Regex":{{JsonSerializer.Serialize(pattern)}}},"behavior":"Isolated","invert":false},
              {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}
            """);
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        return dir;
    }
}
