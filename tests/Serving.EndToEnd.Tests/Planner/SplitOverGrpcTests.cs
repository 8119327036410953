using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests.Planner;

/// <summary>A process started with mixed workers only, split by the planner: its new decode worker must receive KV.</summary>
public sealed class SplitOverGrpcTests(MixedGrpcHost host) : IClassFixture<MixedGrpcHost>
{
    [Fact]
    public async Task MixedWorkersSplitIntoPrefillAndDecode_StreamKvOverGrpc_WithoutRecomputing()
    {
        var planner = host.Services.GetRequiredService<IGrainFactory>().GetGrain<IPlannerGrain>(0);
        var prompt = string.Join(' ', Enumerable.Repeat("the prefill worker hands its KV to the decode worker", 30));
        using var reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 32L << 20 });
        var expected = reference.Tokenizer!.Decode(reference.Generate([reference.Encode(prompt)], SamplingParams.Greedy(8) with { IgnoreEos = true })[0]);

        await planner.Apply(new ClusterSetup(1, 1, 0));
        var before = await host.ScrapeMetricsAsync();
        var (status, body) = await host.PostAsync("/v1/completions", new { prompt, max_tokens = 8, temperature = 0, ignore_eos = true });
        await Task.Delay(1000); // the Prometheus exporter answers from a cached scrape for 300 ms
        var after = await host.ScrapeMetricsAsync();

        Assert.Equal(200, status);
        Assert.Equal(expected, body.GetProperty("choices")[0].GetProperty("text").GetString());
        // Before every worker process listened for KV, the transfer was refused and the decode worker recomputed the
        // prompt: the same text, at twice the work.
        // The bytes pushed also show that the second scrape is not the first one again.
        Assert.True(Delta("serving_kv_transfer_bytes_total{direction=\"push\",outcome=\"ok\"}") > 0);
        Assert.Equal(0, Delta("serving_kv_recomputed_total"));

        double Delta(string series) => GatewayHost.Metric(after, series) - GatewayHost.Metric(before, series);
    }
}
