using Serving.Model.Sampling;
using Serving.Model.Requests;

namespace Serving.Engine.Core;

/// <summary>
/// What an engine loop drives: requests in, one continuous-batching step at a time, outputs out. Implemented by
/// <see cref="LlmEngine"/>; the gateway benchmark drives a fixed-interval fake through the same loop. Not
/// thread-safe: one loop thread owns it.
/// </summary>
public interface IStepEngine : IDisposable
{
    /// <summary>
    /// Queues a request. With <paramref name="holdAfterPrefill"/>, it stops after its first token and keeps its KV for
    /// export. With <paramref name="resume"/>, it continues a request another engine started.
    /// </summary>
    void AddRequest(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, ResumePoint? resume = null);

    /// <summary>Runs one iteration and returns what each scheduled request produced.</summary>
    IReadOnlyList<RequestOutput> Step();

    /// <summary>Stops a request wherever it is and frees its blocks. False when it is not known (or already finished).</summary>
    bool Abort(string requestId);

    /// <summary>Whether the request stopped after its prefill and keeps its KV for export.</summary>
    bool IsHeld(string requestId);

    /// <summary>Frees a held request's blocks once its KV has left.</summary>
    void Release(string requestId);

    /// <summary>Receives each layer group's KV of held prefills as it is computed (on the engine's thread).</summary>
    Action<KvExport>? KvExported { get; set; }

    bool HasUnfinishedRequests { get; }
    int NumWaiting { get; }
    int NumRunning { get; }
    int NumFreeBlocks { get; }
    int NumTotalBlocks { get; }
}
