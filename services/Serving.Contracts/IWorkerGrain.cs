using Orleans.Concurrency;

namespace Serving.Contracts;

/// <summary>
/// One worker (one device, one engine), pinned to the silo that owns it. Keyed by <see cref="WorkerKey"/>.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a request and returns: its tokens go to <paramref name="sink"/> under <paramref name="streamId"/>, batched
    /// with this silo's other streams for that gateway, and the stream ends with a finished chunk or an error (a busy
    /// worker's refusal, a hand-over, a failure). On a decode worker with a prefill worker given, the prompt is
    /// prefilled there and its KV pushed here; otherwise (mixed worker) it runs here entirely.
    /// </summary>
    Task Open(long streamId, ITokenSink sink, GenerationRequest request, string? prefillWorker, string? prefillKvAddress);

    /// <summary>Ends a stream its gateway no longer reads (the client left): the request is aborted and its KV freed.</summary>
    [OneWay]
    Task Close(long streamId, ITokenSink sink);

    /// <summary>
    /// Prefills a prompt and pushes its KV and first token to the decode worker at the given KV address, presenting
    /// the transfer token that worker issued for the request (its only proof that this worker is the one assigned).
    /// The decode worker's prefix cache holds the first <paramref name="cachedTokens"/> (whole blocks): only the KV
    /// after them is sent.
    /// </summary>
    Task Prefill(GenerationRequest request, string decodeWorker, string kvAddress, string transferToken, int cachedTokens, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until the worker holds no request (or <paramref name="drainTimeout"/> passes), then takes
    /// <paramref name="role"/> and layer groups <paramref name="layerGroups"/>. Returns whether it drained in time. The
    /// router stops assigning work to a draining worker; one that still arrives is served (any model worker can run
    /// either phase), so nothing is lost.
    /// </summary>
    [ResponseTimeout("00:05:00")]
    Task<bool> Reconfigure(WorkerRole role, int layerGroups, TimeSpan drainTimeout);
}
