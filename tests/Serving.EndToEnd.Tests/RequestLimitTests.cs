using System.Text;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>Every bound on what one request may hold is a 400 (413 for the body) naming the parameter and the limit, before any work.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class RequestLimitTests(DefaultHost host)
{
    static readonly object[] Hi = [new { role = "user", content = "Hi" }];

    public static TheoryData<string, object, int, string?> OverLimit() => new()
    {
        { "/v1/completions", new { prompt = "Hi", stop = Enumerable.Range(0, 17).Select(i => $"s{i}").ToArray() }, 400, "stop" },
        { "/v1/completions", new { prompt = "Hi", stop = new[] { new string('x', 257) } }, 400, "stop" },
        { "/v1/completions", new { prompt = "Hi", stop_token_ids = Enumerable.Range(1, 65).ToArray() }, 400, "stop_token_ids" },
        { "/v1/chat/completions", new { messages = Enumerable.Repeat(Hi[0], 1025).ToArray() }, 400, "messages" },
        { "/v1/chat/completions", new { messages = Hi, tools = Enumerable.Range(0, 129).Select(i => new { type = "function", function = new { name = $"f{i}" } }).ToArray() }, 400, "tools" },
        { "/tokenize", new { messages = Enumerable.Repeat(Hi[0], 1025).ToArray() }, 400, "messages" },
    };

    [Theory]
    [MemberData(nameof(OverLimit))]
    public async Task OverALimit_Is400NamingTheParameter(string path, object body, int status, string? param)
    {
        using var response = await host.Http.PostAsync(path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

        await ErrorTests.AssertErrorAsync(response, status, param);
        Assert.Contains("at most", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task AtTheLimits_IsServed()
    {
        var body = new { prompt = "Hi", max_tokens = 2, stop = Enumerable.Range(0, 16).Select(i => new string((char)('a' + i), 256)).ToArray(), stop_token_ids = Enumerable.Range(1, 64).ToArray() };
        using var response = await host.Http.PostAsync("/v1/completions", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ABodyOverTheLimit_Is413()
    {
        var prompt = new string('a', (4 << 20) + 16);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { prompt }), Encoding.UTF8, "application/json"),
        };
        // The server refuses on the declared length, before reading: a client that waits for 100-continue reads the
        // 413 instead of having its upload cut off mid-body.
        request.Headers.ExpectContinue = true;
        using var response = await host.Http.SendAsync(request);

        await ErrorTests.AssertErrorAsync(response, 413, null);
    }
}
