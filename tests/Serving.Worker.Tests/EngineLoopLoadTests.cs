using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Engine;
using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;
using Serving.Worker.Runtime;

namespace Serving.Worker.Tests;

public sealed class EngineLoopLoadTests
{
    // An engine whose steps wait until the test lets them go: a long prefill, held open.
    sealed class HeldStepEngine : IStepEngine
    {
        readonly List<string> waiting = [];
        public readonly SemaphoreSlim StepEntered = new(0);
        public readonly SemaphoreSlim Release = new(0);

        public void AddRequest(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, ResumePoint? resume = null) =>
            waiting.Add(requestId);

        public IReadOnlyList<RequestOutput> Step()
        {
            StepEntered.Release();
            Release.Wait();
            var done = waiting.Select(id => new RequestOutput(id, [1], "", null, true, FinishReason.Length, 3, 1, 0)).ToList();
            waiting.Clear();
            return done;
        }

        public bool Abort(string requestId) => waiting.Remove(requestId);
        public bool IsHeld(string requestId) => false;
        void IStepEngine.Release(string requestId) { }
        public Action<KvExport>? KvExported { get; set; }
        public bool HasUnfinishedRequests => waiting.Count > 0;
        public int NumWaiting => waiting.Count;
        public int NumRunning => 0;
        public int NumFreeBlocks => 100;
        public int NumTotalBlocks => 100;
        public void Dispose() { }
    }

    static int Active(EngineLoop loop) => loop.Load.Waiting + loop.Load.Running;

    [Fact]
    public async Task ARequestJustAdded_ShowsInTheLoad_WhileItsFirstStepRuns()
    {
        var engine = new HeldStepEngine();
        await using var loop = new EngineLoop("mixed-0", engine, NullLogger.Instance);
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
