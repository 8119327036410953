using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serving.Cluster.Abstractions;
using Serving.Cluster.Workers;
using Serving.Engine.Engine;
using Serving.Engine.Sampling;
using Serving.Gateway.Tests.Support;
using Serving.Planning.Simulation;

namespace Serving.Gateway.Tests;

/// <summary>The runtime planner on a real host: switching roles under load, and re-planning when the traffic changes.</summary>
public sealed class RoleSwitchTests(SwitchingHost host) : IClassFixture<SwitchingHost>
{
    [Fact]
    public async Task SwitchingRolesUnderLoad_EveryRequestCompletesOnce_WithTheRightOutput()
    {
        const int Requests = 24, MaxTokens = 24;
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var workers = host.Services.GetRequiredService<LocalWorkers>();
        var planner = grains.GetGrain<IPlannerGrain>(0);
        // Prompts of 10 to 300 tokens, so prefills of every size are in flight when workers drain.
        var prompts = Enumerable.Range(0, Requests)
            .Select(i => $"Request {i}: " + string.Join(' ', Enumerable.Repeat("the prefill worker hands its KV to the decode worker", 1 + i % 5 * 6)))
            .ToArray();
        using var reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 32L << 20 });
        var expected = prompts.Select(p => reference.Tokenizer!.Decode(reference.Generate([reference.Encode(p)], SamplingParams.Greedy(MaxTokens) with { IgnoreEos = true })[0])).ToArray();
        var finishedBefore = workers.All.Sum(w => w.Loop.Finished);
        var clock = Stopwatch.StartNew();

        var requests = prompts.Select((p, i) => Task.Run(async () =>
        {
            await Task.Delay(i * 150);
            var start = clock.Elapsed;
            var answer = await host.PostAsync("/v1/completions", new { prompt = p, max_tokens = MaxTokens, temperature = 0, ignore_eos = true });
            return (answer.Status, answer.Body, Start: start, End: clock.Elapsed);
        })).ToArray();
        await Task.Delay(700);
        var colocating = (Start: clock.Elapsed, End: TimeSpan.Zero);
        await planner.Apply(new ClusterSetup(0, 0, 2));
        colocating.End = clock.Elapsed;
        var roles = (await grains.GetGrain<IRouterGrain>(0).Workers()).Select(w => w.Worker.Role).Order().ToArray();
        var disaggregating = (Start: clock.Elapsed, End: TimeSpan.Zero);
        await planner.Apply(new ClusterSetup(1, 1, 0));
        disaggregating.End = clock.Elapsed;
        var answers = await Task.WhenAll(requests);

        Assert.Equal([WorkerRole.Mixed, WorkerRole.Mixed], roles);
        var timeline = $"colocating {colocating}, disaggregating {disaggregating}, requests {string.Join(", ", answers.Select(a => $"{a.Start.TotalSeconds:0.00}-{a.End.TotalSeconds:0.00}"))}";
        // The switches happened while requests were running, not before or after them.
        Assert.True(answers.Any(a => a.Start < colocating.Start && a.End > colocating.Start), timeline);
        Assert.True(answers.Any(a => a.Start < disaggregating.End && a.End > disaggregating.Start), timeline);
        for (var i = 0; i < Requests; i++)
        {
            Assert.True(answers[i].Status == 200, $"request {i}: {answers[i].Status} {answers[i].Body}");
            Assert.Equal(expected[i], answers[i].Body.GetProperty("choices")[0].GetProperty("text").GetString());
            Assert.Equal(MaxTokens, answers[i].Body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        }
        // Each request ran to its end exactly once across the workers: nothing was retried or run twice.
        Assert.Equal(Requests, workers.All.Sum(w => w.Loop.Finished) - finishedBefore);
        var status = await planner.Status();
        Assert.Equal((2, 4), (status.Changes, status.RoleSwitches));
        Assert.Equal(new ClusterSetup(1, 1, 0, 1, 0), status.Current);
        Assert.True(await host.AllKvFreeWithinAsync(TimeSpan.FromSeconds(10)), "KV blocks still in use after every request finished");
    }
}

public sealed class ReplanningTests(ReplanningHost host) : IClassFixture<ReplanningHost>
{
    [Fact]
    public async Task ShiftFromShortToLongPrompts_MovesAWorkerFromDecodeToPrefill_AndTheClusterKeepsServing()
    {
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var planner = grains.GetGrain<IPlannerGrain>(0);
        var initial = await planner.Status();
        Assert.Equal(new ClusterSetup(1, 2, 0), initial.Current);

        // Chat-like traffic: short prompts, long answers. Decode-heavy: one prefill worker is plenty.
        await planner.Record(Observed(new WorkloadSpec(new FixedLength(16), new FixedLength(64)), rate: 3));
        var chat = await planner.ReplanNow();
        Assert.Equal(new ClusterSetup(1, 2, 0), chat.Current);
        Assert.Equal(0, chat.Changes);
        Assert.Contains("keeping", chat.LastDecision);

        // Document traffic: 512-token prompts (≈ 1 s of prefill each at 1.5 per second) overwhelm one prefill worker.
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // the 2 s window forgets the chat traffic
        await planner.Record(Observed(new WorkloadSpec(new FixedLength(512), new FixedLength(32)), rate: 1.5));
        var documents = await planner.ReplanNow();

        Assert.True(documents.Changes == 1, documents.LastDecision);
        Assert.Equal(new ClusterSetup(2, 1, 0), documents.Current);
        Assert.Contains("switching 1P+2D → 2P+1D", documents.LastDecision);
        Assert.True(documents.BestGoodput >= 1.5 * documents.PredictedGoodput, $"{documents.BestGoodput} vs {documents.PredictedGoodput}");
        Assert.InRange(documents.ObservedAttainment, 0, 0.5);

        // The decision is exported: the P/D split the planner sees, and its switch.
        Assert.True(await MetricsShowAsync(@"^serving_planner_workers\{[^}]*role=""prefill""[^}]*\} 2$", @"^serving_planner_role_switches(\{[^}]*\})? 1$"),
            await host.Http.GetStringAsync("/metrics"));

        // The new setup serves, and gives one engine's output.
        using var reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 16L << 20 });
        var prompt = "After the switch two workers prefill and one decodes.";
        var expected = reference.Tokenizer!.Decode(reference.Generate([reference.Encode(prompt)], SamplingParams.Greedy(16) with { IgnoreEos = true })[0]);
        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => host.PostAsync("/v1/completions", new { prompt, max_tokens = 16, temperature = 0, ignore_eos = true })));
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers, a => Assert.Equal(expected, a.Body.GetProperty("choices")[0].GetProperty("text").GetString()));
    }

    /// <summary>Whether /metrics shows every pattern within 5 s (a scrape refreshes the planner's gauges in the background).</summary>
    async Task<bool> MetricsShowAsync(params string[] patterns)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var text = await host.Http.GetStringAsync("/metrics");
            if (patterns.All(p => System.Text.RegularExpressions.Regex.IsMatch(text, p, System.Text.RegularExpressions.RegexOptions.Multiline)))
                return true;
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// What gateways would report of 60 requests on the current setup (1P+2D) if the workers ran exactly as profiled:
    /// the simulator's own outcomes, so the planner's corrections come out 1.
    /// </summary>
    static RequestObservation[] Observed(WorkloadSpec spec, double rate)
    {
        var requests = WorkloadGenerator.Generate(spec, rate, 60, seed: 5);
        var outcomes = Simulator.Run(new ClusterConfig(1, 2, 0, KvCapacityTokens: 8192), ReplanningHost.Profile, requests).Requests;
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - requests[^1].ArrivalTime;
        return [.. outcomes.Select(o => new RequestObservation(start + requests[o.Id].ArrivalTime, o.PromptTokens, o.OutputTokens, o.Ttft, o.Tpot, o.MaxItl, o.Completed))];
    }
}

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
