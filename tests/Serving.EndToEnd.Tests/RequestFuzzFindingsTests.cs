using System.Net.Http.Headers;
using System.Text;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>What <see cref="RequestFuzzTests"/> found, kept as plain cases: each was a 500 before its fix.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class RequestFuzzFindingsTests(DefaultHost host)
{
    [Theory]
    // The \u escape of a lone surrogate is valid JSON, but System.Text.Json refuses to read it as a string.
    [InlineData("/v1/completions", """{"prompt":"Hi","max_tokens":2,"frobnicate":"<s>","tool_choice":"x\udfff","max_completion_tokens":2}""")]
    [InlineData("/v1/completions", """{"prompt":"\ud800","max_tokens":2}""")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"\udc00"}],"max_tokens":2}""")]
    [InlineData("/tokenize", """{"prompt":"x\udfff"}""")]
    public async Task FoundByFuzzing_IsA400ErrorObject(string path, string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await host.Http.PostAsync(path, content);

        await ErrorTests.AssertErrorAsync(response, 400, null);
    }
}
