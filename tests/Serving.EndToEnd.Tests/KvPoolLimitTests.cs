using System.Net.Http.Json;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>A request must fit the workers' KV pool as well as the context: refused up front when it cannot, sized to fit when it gives no max_tokens.</summary>
public sealed class KvPoolLimitTests(SmallPoolHost host) : IClassFixture<SmallPoolHost>
{
    [Fact]
    public async Task ARequestThatCannotFitThePool_Is400NamingTheField_AChatWithoutMaxTokensGetsWhatFits()
    {
        // The gateway learns the pools from the router within a second of the workers joining.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        HttpResponseMessage tooLong;
        while (true)
        {
            tooLong = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Hi", max_tokens = 200 });
            if ((int)tooLong.StatusCode == 400 || DateTime.UtcNow > deadline)
                break;
            tooLong.Dispose();
            await Task.Delay(200);
        }
        using (tooLong)
        {
            await ErrorTests.AssertErrorAsync(tooLong, 400, "max_tokens");
            using var error = JsonDocument.Parse(await tooLong.Content.ReadAsStringAsync());
            Assert.Equal("kv_capacity_exceeded", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }

        using (var promptTooLong = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = string.Join(' ', Enumerable.Repeat("word", 300)) }))
            await ErrorTests.AssertErrorAsync(promptTooLong, 400, "prompt");

        using var chat = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Tell me a story." } }, ignore_eos = true });
        var text = await chat.Content.ReadAsStringAsync();
        Assert.True(chat.IsSuccessStatusCode, text);
        using var body = JsonDocument.Parse(text);
        var usage = body.RootElement.GetProperty("usage");
        Assert.Equal(SmallPoolHost.PoolTokens, usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", body.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }
}
