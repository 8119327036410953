using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;
using Serving.Cluster.Workers;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests.Planner;

/// <summary>The runtime planner on a real host, switching roles under load.</summary>
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
