using Serving.Engine.Core;
using Serving.Model.Requests;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;

namespace Serving.Worker.Tests;

/// <summary>An engine whose steps wait until the test lets them go: a long prefill held open, or a hung kernel.</summary>
internal sealed class HeldStepEngine : IStepEngine
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
