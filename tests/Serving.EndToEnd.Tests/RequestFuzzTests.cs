using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Serving.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Serving.EndToEnd.Tests;

/// <summary>
/// Random and mutated request bodies (<see cref="RandomBodies"/>) at the real gateway on loopback: whatever arrives,
/// the answer is never a 5xx nor a stack trace, and every refusal is OpenAI's error object. A failure prints the
/// body (shrunk) and the seed to replay it with (CsCheck_Seed).
/// </summary>
[Collection(DefaultHostCollection.Name)]
public sealed class RequestFuzzTests(DefaultHost host, ITestOutputHelper output)
{
    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/completions")]
    [InlineData("/tokenize")]
    public async Task RandomBodies_NeverGetA5xx_AndEveryRefusalIsAnOpenAiError(string path)
    {
        // How the answers fell, for the test's output: a run that is all 400s fuzzes only the first checks.
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        await RandomBodies.For(path).SampleAsync(async body => statuses.AddOrUpdate(await AssertAnsweredAsync(path, body), 1, (_, n) => n + 1),
            writeLine: output.WriteLine, iter: 500, threads: 1, print: Print);
        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));

        // And the gateway still serves.
        var (status, reply) = await host.PostAsync("/v1/completions", new { prompt = "Still there?", max_tokens = 1 });
        Assert.True(status == 200, reply.ToString());
    }

    /// <summary>Posts the body and checks the answer; returns its status.</summary>
    async Task<int> AssertAnsweredAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await host.Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;

        Assert.True(status < 500, $"{status}: {text}");
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("internal_error", text, StringComparison.Ordinal);
        if (response.IsSuccessStatusCode)
        {
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
                Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
            else
                JsonDocument.Parse(text).Dispose();
            return status;
        }
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), text);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()), text);
        Assert.True(error.TryGetProperty("param", out _) && error.TryGetProperty("code", out _), text);
        return status;
    }

    static string Print(byte[] body) => Encoding.UTF8.GetString(body);
}
