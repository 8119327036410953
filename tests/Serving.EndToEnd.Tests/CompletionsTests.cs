using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>
/// /v1/completions over raw HTTP (the official .NET client has no legacy completions API), against the default host.
/// </summary>
[Collection(DefaultHostCollection.Name)]
public sealed class CompletionsTests(DefaultHost host)
{
    [Fact]
    public async Task Completion_TextAndTokenPrompts_MatchSingleEngine()
    {
        var tokens = host.Reference.Encode("Prefill and decode run on separate workers.");
        var expected = host.Greedy(tokens, 16);

        var (status, byText) = await host.PostAsync("/v1/completions", new { prompt = "Prefill and decode run on separate workers.", max_tokens = 16, temperature = 0 });
        var (_, byIds) = await host.PostAsync("/v1/completions", new { prompt = tokens, max_tokens = 16, temperature = 0 });

        Assert.Equal(200, status);
        Assert.Equal("text_completion", byText.GetProperty("object").GetString());
        Assert.Equal(expected.Text, Choice(byText, 0).GetProperty("text").GetString());
        Assert.Equal(expected.Text, Choice(byIds, 0).GetProperty("text").GetString());
        Assert.Equal(tokens.Count, byText.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(expected.Tokens.Count, byText.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completion_BatchOfPrompts_OneChoiceEachInOrder()
    {
        string[] prompts = ["Once upon a time", "The cluster keeps serving", "KV blocks"];

        var (status, body) = await host.PostAsync("/v1/completions", new { prompt = prompts, max_tokens = 6, temperature = 0 });

        Assert.Equal(200, status);
        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(host.Greedy(host.Reference.Encode(prompts[i]), 6).Text, Choice(body, i).GetProperty("text").GetString());
    }

    [Fact]
    public async Task CompletionStream_SameTextAsWhole_UsageLast_ThenDone()
    {
        var request = new { prompt = "Once upon a time", max_tokens = 32, temperature = 0, ignore_eos = true };
        var (_, whole) = await host.PostAsync("/v1/completions", request);

        var (status, events) = await ServerSentEvents.PostAsync(host.Http, "/v1/completions", new
        {
            prompt = "Once upon a time", max_tokens = 32, temperature = 0, ignore_eos = true, stream = true, stream_options = new { include_usage = true },
        });

        Assert.Equal(200, status);
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events[..^1].Select(e => e.Json).ToArray();
        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        Assert.Equal(32, usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var textChunks = chunks[..^1];
        Assert.All(textChunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.Equal(Choice(whole, 0).GetProperty("text").GetString(), string.Concat(textChunks.Select(c => Choice(c, 0).GetProperty("text").GetString())));
        Assert.Equal("length", Choice(textChunks[^1], 0).GetProperty("finish_reason").GetString());
        // Flushed as produced: the events arrive spread over the generation, not in one burst at the end.
        Assert.True(events.Count > 10);
        Assert.True(events[^1].At - events[0].At > TimeSpan.FromMilliseconds(20), $"all events arrived within {(events[^1].At - events[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Completion_EchoAndLogprobs_OpenAiShapes()
    {
        var (_, echoed) = await host.PostAsync("/v1/completions", new { prompt = "Hello there", max_tokens = 4, temperature = 0, echo = true });
        var (_, plain) = await host.PostAsync("/v1/completions", new { prompt = "Hello there", max_tokens = 4, temperature = 0, logprobs = 2 });

        Assert.Equal("Hello there" + Choice(plain, 0).GetProperty("text").GetString(), Choice(echoed, 0).GetProperty("text").GetString());
        var logprobs = Choice(plain, 0).GetProperty("logprobs");
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()).ToArray();
        Assert.Equal(4, tokens.Length);
        Assert.Equal(Choice(plain, 0).GetProperty("text").GetString(), string.Concat(tokens));
        Assert.All(logprobs.GetProperty("top_logprobs").EnumerateArray(), top => Assert.Equal(2, top.EnumerateObject().Count()));
        Assert.Equal([0, tokens[0]!.Length, tokens[0]!.Length + tokens[1]!.Length], logprobs.GetProperty("text_offset").EnumerateArray().Take(3).Select(o => o.GetInt32()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task CompletionStream_ClientLeaves_KvBlocksFreedOnEveryWorker(int n)
    {
        // Loads reach /health with the workers' heartbeat: wait out the previous tests' requests first.
        Assert.True(await host.AllKvFreeWithinAsync(TimeSpan.FromSeconds(10)), "KV blocks were in use before the test");

        using (var stream = await ServerSentEvents.OpenAsync(host.Http, "/v1/completions",
            new { prompt = "A long story begins", max_tokens = 2000, ignore_eos = true, stream = true, n, temperature = 1.0 }))
        {
            Assert.NotNull(await stream.ReadAsync());
            // While the stream is open the blocks must show as used, or the check below would prove nothing.
            Assert.True(await host.KvInUseWithinAsync(TimeSpan.FromSeconds(5)), "the running request's KV blocks never showed as used");
        }

        Assert.True(await host.AllKvFreeWithinAsync(TimeSpan.FromSeconds(10)), "KV blocks were not freed after the client left");
    }

    [Fact]
    public async Task CompletionStream_NChoicesAndEcho_EachChoiceWholeAndInOrder()
    {
        var request = new { prompt = "Once upon a time", max_tokens = 8, n = 3, seed = 5, temperature = 1.0, ignore_eos = true };
        var (_, whole) = await host.PostAsync("/v1/completions", request);

        var (status, events) = await ServerSentEvents.PostAsync(host.Http, "/v1/completions", new
        {
            prompt = "Once upon a time", max_tokens = 8, n = 3, seed = 5, temperature = 1.0, ignore_eos = true, stream = true, echo = true,
        });

        Assert.Equal(200, status);
        var chunks = events[..^1].Select(e => Choice(e.Json, 0)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            var mine = chunks.Where(c => c.GetProperty("index").GetInt32() == i).ToArray();
            Assert.Equal("Once upon a time" + Choice(whole, i).GetProperty("text").GetString(), string.Concat(mine.Select(c => c.GetProperty("text").GetString())));
            Assert.Single(mine, c => c.GetProperty("finish_reason").ValueKind == JsonValueKind.String);
            Assert.Equal("length", mine[^1].GetProperty("finish_reason").GetString());
        }
    }

    static JsonElement Choice(JsonElement body, int index) => body.GetProperty("choices")[index];
}
