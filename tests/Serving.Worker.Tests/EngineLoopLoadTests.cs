using Microsoft.Extensions.Logging.Abstractions;
using Serving.Model.Sampling;
using Serving.Worker.Runtime;

namespace Serving.Worker.Tests;

public sealed class EngineLoopLoadTests
{
    static int Active(EngineLoop loop) => loop.Load.Waiting + loop.Load.Running;

    [Fact]
    public async Task ARequestJustAdded_ShowsInTheLoad_WhileItsFirstStepRuns()
    {
        var engine = new HeldModel();
        await using var loop = new EngineLoop("mixed-0", engine.CreateEngine(), NullLogger.Instance);
        Assert.Equal(0, Active(loop));

        var outputs = loop.Submit("r1", [1, 2, 3], SamplingParams.Greedy(1));
        Assert.True(await engine.StepEntered.WaitAsync(TimeSpan.FromSeconds(10)), "the loop should start a step");
        int midStep;
        try
        {
            // What a heartbeat reads mid-step: the request, not an idle worker.
            midStep = Active(loop);
        }
        finally
        {
            engine.Release.Release();
        }
        Assert.Equal(1, midStep);

        await foreach (var _ in outputs.ReadAllAsync()) { }
        Assert.True(SpinWait.SpinUntil(() => Active(loop) == 0, TimeSpan.FromSeconds(10)));
    }
}
