using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.EndToEnd.Tests.Support;
using Serving.Planning.Simulation;

namespace Serving.EndToEnd.Tests.Planner;

/// <summary>The runtime planner on a real host, re-planning when the traffic changes.</summary>
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
