using Microsoft.Extensions.Logging.Abstractions;
using Serving.Model.Sampling;
using Serving.Worker.Runtime;

namespace Serving.Worker.Tests;

/// <summary>Whether an engine loop makes progress: what the liveness probe (/livez) reports.</summary>
public sealed class EngineLoopLivenessTests
{
    static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task AnIdleLoop_IsNeverStuck()
    {
        await using var loop = new EngineLoop("idle", new HeldModel().CreateEngine(), NullLogger.Instance);
        await Task.Delay(Limit * 2);

        Assert.Null(loop.StuckFor(Limit));
    }

    [Fact]
    public async Task AStepThatDoesNotReturn_IsStuckOnceItOutlastsTheLimit_AndRecoversWhenItReturns()
    {
        var engine = new HeldModel();
        await using var loop = new EngineLoop("hung", engine.CreateEngine(), NullLogger.Instance);
        await engine.WarmUpAsync(loop);
        var outputs = loop.Submit("r1", [1, 2, 3], SamplingParams.Greedy(1));
        Assert.True(await engine.StepEntered.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Null(loop.StuckFor(Limit));
        await Task.Delay(Limit * 2);
        var stuck = loop.StuckFor(Limit);

        engine.Release.Release();
        await foreach (var _ in outputs.ReadAllAsync()) { }
        Assert.NotNull(stuck);
        Assert.True(stuck >= Limit, $"stuck for {stuck}");
        Assert.True(SpinWait.SpinUntil(() => loop.StuckFor(Limit) is null, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AStepAfterALongIdleWait_IsNotStuck_ItsTimeCountsFromItsOwnStart()
    {
        var engine = new HeldModel();
        await using var loop = new EngineLoop("rested", engine.CreateEngine(), NullLogger.Instance);
        await engine.WarmUpAsync(loop);
        await Task.Delay(Limit * 3);

        var outputs = loop.Submit("r1", [1, 2, 3], SamplingParams.Greedy(1));
        Assert.True(await engine.StepEntered.WaitAsync(TimeSpan.FromSeconds(10)));
        var stuck = loop.StuckFor(Limit);
        engine.Release.Release();
        await foreach (var _ in outputs.ReadAllAsync()) { }

        Assert.Null(stuck);
    }
}
