using System.Net.Http.Json;
using System.Text.Json;
using Serving.Cluster.Tests.Support;
using Serving.Engine.DefaultModel;
using Serving.Engine.Core;
using Serving.Model.Sampling;

namespace Serving.Cluster.Tests;

/// <summary>`serving` as one process: the README's default (gateway, prefill and decode workers) and the colocated baseline.</summary>
public sealed class SingleProcessClusterTests
{
    [Theory]
    [InlineData("gateway,prefill,decode", "auto")]
    [InlineData("gateway,prefill,decode", "grpc")]
    [InlineData("gateway,prefill,decode", "grpc-pull")]
    [InlineData("gateway,mixed", "auto")]
    public async Task OneProcess_ServesCompletions_IdenticalToOneEngine(string roles, string transport)
    {
        var model = DefaultModelStore.EnsureDefault();
        using var process = ServingProcess.Start("embedded", roles, redis: null, model, transport);
        await process.WaitReadyAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{process.HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        using var reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 16L << 20 });

        string[] prompts = ["Once upon a time", "Prefill and decode run on separate workers in this process."];
        foreach (var prompt in prompts)
        {
            var expected = reference.Tokenizer!.Decode(reference.Generate([reference.Encode(prompt)], SamplingParams.Greedy(16) with { IgnoreEos = true })[0]);
            using var response = await RetryUntilUp(() => http.PostAsJsonAsync("/v1/completions", new { prompt, max_tokens = 16, temperature = 0, ignore_eos = true }));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            Assert.Equal(expected, JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString());
        }
        // The KV really moved: no request fell back to recomputing its prefill on the decode worker.
        Assert.DoesNotContain(process.Output, l => l.Contains("recomputing its prefill locally", StringComparison.Ordinal));
    }

    /// <summary>Workers join the router a heartbeat after start-up; until then the gateway answers 503.</summary>
    static async Task<HttpResponseMessage> RetryUntilUp(Func<Task<HttpResponseMessage>> send)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await send();
            if ((int)response.StatusCode != 503 || DateTime.UtcNow > deadline)
                return response;
            response.Dispose();
            await Task.Delay(200);
        }
    }
}
