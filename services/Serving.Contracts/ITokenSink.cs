namespace Serving.Contracts;

/// <summary>
/// A gateway's receiver of token streams, one per gateway process. Each worker silo sends it, in one call, everything
/// its streams for this gateway produced since its last call: under load one message per engine step per gateway,
/// rather than one grain call per token per stream through the worker grain's single activation.
/// </summary>
public interface ITokenSink : IGrainObserver
{
    /// <summary>The next deliveries of streams this gateway opened, in order per stream.</summary>
    Task Deliver(TokenDelivery[] deliveries);
}

/// <summary>
/// One step of a stream opened with <see cref="IWorkerGrain.Open"/>: a chunk of tokens, or the error that ended the
/// stream, or neither when the stream ended without a finished chunk.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TokenDelivery(
    [property: Id(0)] long StreamId,
    [property: Id(1)] TokenChunk? Chunk,
    [property: Id(2)] Exception? Error);
