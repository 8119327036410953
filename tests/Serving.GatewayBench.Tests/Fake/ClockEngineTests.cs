using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using Serving.GatewayBench.Fake;
using Serving.Worker.Runtime;

namespace Serving.GatewayBench.Tests.Fake;

public sealed class ClockEngineTests
{
    static readonly SamplingParams Four = new() { MaxTokens = 4, IgnoreEos = true };

    [Fact]
    public void Step_EveryRunningRequest_GetsOneTokenUntilMaxTokens()
    {
        using var engine = ClockEngine.Create(TimeSpan.FromMilliseconds(1), new EngineOptions());
        engine.AddRequest("a", [1, 2, 3], Four);
        engine.AddRequest("b", [1], Four with { MaxTokens = 2 });
        Assert.Equal((2, 0), (engine.NumWaiting, engine.NumRunning));

        var steps = new List<IReadOnlyList<Engine.Core.RequestOutput>>();
        while (engine.HasUnfinishedRequests)
            steps.Add(engine.Step());

        Assert.Equal([2, 2, 1, 1], steps.Select(s => s.Count));
        var a = steps.SelectMany(s => s).Where(o => o.RequestId == "a").ToList();
        Assert.Equal([1, 2, 3, 4], a.Select(o => o.OutputTokens));
        Assert.All(a, o => Assert.Equal([ClockEngine.TokenId], o.NewTokenIds));
        Assert.All(a, o => Assert.Equal(3, o.PromptTokens));
        Assert.Equal([false, false, false, true], a.Select(o => o.Finished));
        Assert.Equal(FinishReason.Length, a[^1].FinishReason);
        Assert.Null(a[0].FinishReason);
        Assert.Equal(FinishReason.Length, steps[1].Single(o => o.RequestId == "b").FinishReason);
    }

    [Fact]
    public void Step_TakesTheIntervalAndStampsTheTextWithTheEmissionTime()
    {
        var recorder = new StepRecorder();
        using var engine = ClockEngine.Create(TimeSpan.FromMilliseconds(20), new EngineOptions(), recorder);
        engine.AddRequest("a", [1], Four);

        var before = Stopwatch.GetTimestamp();
        var output = engine.Step().Single();
        var after = Stopwatch.GetTimestamp();

        Assert.True(Stopwatch.GetElapsedTime(before, after) >= TimeSpan.FromMilliseconds(20));
        var emitted = long.Parse(output.NewText.TrimStart(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(emitted, before, after);
        var step = Assert.Single(recorder.Drain());
        Assert.Equal(1, step.Batch);
        Assert.True(step.LateMs >= 0);
    }

    [Fact]
    public void Abort_RemovesTheRequest_AndUnknownOnesAreFalse()
    {
        using var engine = ClockEngine.Create(TimeSpan.FromMilliseconds(1), new EngineOptions());
        engine.AddRequest("a", [1], Four);
        engine.AddRequest("b", [1], Four);
        engine.Step();
        engine.AddRequest("c", [1], Four);

        Assert.True(engine.Abort("a"));
        Assert.True(engine.Abort("c"));
        Assert.False(engine.Abort("a"));
        Assert.False(engine.Abort("unknown"));
        Assert.Equal((0, 1), (engine.NumWaiting, engine.NumRunning));
        Assert.Equal(["b"], engine.Step().Select(o => o.RequestId));
    }

    [Fact]
    public async Task EngineLoop_DrivesTheClockEngine_ThousandsOfStreamsAtOnce()
    {
        await using var loop = new EngineLoop("fake", ClockEngine.Create(TimeSpan.FromMilliseconds(5), new EngineOptions()), NullLogger.Instance);
        var streams = Enumerable.Range(0, 2000).Select(i => loop.Submit($"r{i}", [1, 2], Four)).ToArray();

        var outputs = await Task.WhenAll(streams.Select(async s =>
        {
            var got = new List<Engine.Core.RequestOutput>();
            await foreach (var o in s.ReadAllAsync())
                got.Add(o);
            return got;
        }));

        Assert.All(outputs, o => Assert.Equal([1, 2, 3, 4], o.Select(x => x.OutputTokens)));
        Assert.All(outputs, o => Assert.Equal(FinishReason.Length, o[^1].FinishReason));
    }
}
