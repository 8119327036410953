using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

[Collection(DefaultHostCollection.Name)]
public sealed class TokenizeTests(DefaultHost host)
{
    [Fact]
    public async Task TokenizeThenDetokenize_RoundTrips_WithTheModelsTokenizer()
    {
        const string text = "Disaggregated serving, déjà vu: 42 tokens!";

        var (status, tokenized) = await host.PostAsync("/tokenize", new { prompt = text });
        var tokens = tokenized.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        var (_, detokenized) = await host.PostAsync("/detokenize", new { tokens });

        Assert.Equal(200, status);
        Assert.Equal(host.Reference.Encode(text), tokens);
        Assert.Equal(tokens.Length, tokenized.GetProperty("count").GetInt32());
        Assert.Equal(4096, tokenized.GetProperty("max_model_len").GetInt32());
        Assert.Equal(text, detokenized.GetProperty("prompt").GetString());
    }
}
