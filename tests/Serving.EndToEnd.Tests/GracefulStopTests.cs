using System.Net.Http.Json;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>A gateway being stopped (SIGTERM): not ready at once, new requests refused so clients retry elsewhere, open streams finish.</summary>
public sealed class GracefulStopTests(DrainingHost host) : IClassFixture<DrainingHost>
{
    [Fact]
    public async Task StoppingTheProcess_RefusesNewRequestsWith503_AndLetsTheOpenStreamFinishWithItsWholeText()
    {
        const string prompt = "A story that is still being told when the server is asked to stop:";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt, max_tokens = 600, temperature = 0, ignore_eos = true, stream = true }),
        };
        using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        Assert.StartsWith("data: {", first);

        var stopping = host.StopAsync();
        await WaitUntilNotReadyAsync();
        using var refused = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Hello", max_tokens = 4 });
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        using var health = await host.Http.GetAsync("/health");

        var text = Text(first!);
        var done = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "data: [DONE]")
            {
                done = true;
                break;
            }
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                text += Text(line);
        }
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(503, (int)refused.StatusCode);
        Assert.Equal("shutting_down", error.GetProperty("code").GetString());
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.True(refused.Headers.ConnectionClose, "a refused client should reconnect (likely to another gateway)");
        Assert.Equal(503, (int)health.StatusCode);
        Assert.True(done, "the open stream should end with [DONE]");
        Assert.Equal(Expected(prompt, 600), text);
    }

    async Task WaitUntilNotReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var ready = await host.Http.GetAsync("/readyz");
            if ((int)ready.StatusCode == 503)
            {
                var reasons = await ready.Content.ReadAsStringAsync();
                Assert.Contains("shutting down", reasons);
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "the gateway should turn not-ready as soon as it is stopped");
            await Task.Delay(20);
        }
    }

    static string Text(string line) =>
        JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;

    static string Expected(string prompt, int maxTokens)
    {
        using var engine = Serving.Engine.Core.LlmEngine.Create(new() { Device = "cpu", DType = "float32", KvCacheBytes = 16L << 20 });
        var tokens = engine.Generate([engine.Encode(prompt)], Serving.Model.Sampling.SamplingParams.Greedy(maxTokens) with { IgnoreEos = true })[0];
        return engine.Tokenizer!.Decode(tokens);
    }
}
