namespace Serving.Cluster.Abstractions;

/// <summary>
/// One worker (one device, one engine), pinned to the silo that owns it. Keyed by <see cref="Placement.WorkerKey"/>.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs a request to completion, streaming its tokens. On a decode worker with a prefill worker given, the prompt
    /// is prefilled there and its KV pushed here; otherwise (mixed worker) it runs here entirely.
    /// </summary>
    IAsyncEnumerable<TokenChunk> Generate(GenerateCommand request, string? prefillWorker, string? prefillKvAddress, CancellationToken cancellationToken);

    /// <summary>Prefills a prompt and pushes its KV and first token to the decode worker at the given KV address.</summary>
    Task Prefill(GenerateCommand request, string decodeWorker, string kvAddress, CancellationToken cancellationToken);
}
