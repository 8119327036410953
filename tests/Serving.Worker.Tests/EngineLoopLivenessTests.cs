using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Engine;
using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;
using Serving.Worker.Runtime;

namespace Serving.Worker.Tests;

/// <summary>Whether an engine loop makes progress: what the liveness probe (/livez) reports.</summary>
public sealed class EngineLoopLivenessTests
{
    // An engine whose step blocks until the test lets it go: a hung kernel.
    sealed class HangingEngine : IStepEngine
    {
        readonly List<string> waiting = [];
        public readonly ManualResetEventSlim Release = new();
        public readonly SemaphoreSlim Entered = new(0);

        public void AddRequest(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, ResumePoint? resume = null) =>
            waiting.Add(requestId);

        public IReadOnlyList<RequestOutput> Step()
        {
            Entered.Release();
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

    static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task AnIdleLoop_IsNeverStuck()
    {
        await using var loop = new EngineLoop("idle", new HangingEngine(), NullLogger.Instance);
        await Task.Delay(Limit * 2);

        Assert.Null(loop.StuckFor(Limit));
    }

    [Fact]
    public async Task AStepThatDoesNotReturn_IsStuckOnceItOutlastsTheLimit_AndRecoversWhenItReturns()
    {
        var engine = new HangingEngine();
        await using var loop = new EngineLoop("hung", engine, NullLogger.Instance);
        var outputs = loop.Submit("r1", [1, 2, 3], SamplingParams.Greedy(1));
        Assert.True(await engine.Entered.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Null(loop.StuckFor(Limit));
        await Task.Delay(Limit * 2);
        var stuck = loop.StuckFor(Limit);

        engine.Release.Set();
        await foreach (var _ in outputs.ReadAllAsync()) { }
        Assert.NotNull(stuck);
        Assert.True(stuck >= Limit, $"stuck for {stuck}");
        Assert.True(SpinWait.SpinUntil(() => loop.StuckFor(Limit) is null, TimeSpan.FromSeconds(5)));
    }
}
