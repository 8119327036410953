using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Serving.Contracts;

namespace Serving.Gateway.Cluster;

/// <summary>
/// This gateway's end of the token streams: one grain observer for the process, which every worker silo sends its
/// batches to (<see cref="ITokenSink.Deliver"/>), and a channel per open stream that <see cref="OpenAsync"/> reads.
/// A stream fails like the grain call it replaces: with the worker's error, or with
/// <see cref="SiloUnavailableException"/> when membership declares the worker's silo dead (<see cref="TokenSinkWatch"/>).
/// </summary>
public sealed class TokenSink(IGrainFactory grains) : ITokenSink
{
    readonly ConcurrentDictionary<long, Inbound> streams = new();
    long lastId;
    ITokenSink? reference;

    /// <summary>The reference workers call; made on first use (the silo must be running) and kept for the process's life.</summary>
    ITokenSink Reference => LazyInitializer.EnsureInitialized(ref reference, () => grains.CreateObjectReference<ITokenSink>(this));

    public Task Deliver(TokenDelivery[] deliveries)
    {
        foreach (var delivery in deliveries)
            if (streams.TryGetValue(delivery.StreamId, out var stream))
                stream.Channel.Writer.TryWrite(delivery);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs a request on <paramref name="workerId"/>'s worker and yields its chunks until one is finished. Throws what
    /// the worker threw; leaving early (cancellation, the caller stopping) closes the stream on the worker.
    /// </summary>
    public async IAsyncEnumerable<TokenChunk> OpenAsync(string workerId, GenerationRequest request, string? prefillWorker, string? prefillKvAddress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var worker = grains.GetGrain<IWorkerGrain>(workerId);
        var id = Interlocked.Increment(ref lastId);
        var stream = new Inbound(WorkerKey.Silo(workerId));
        streams[id] = stream;
        var ended = false;
        try
        {
            await worker.Open(id, Reference, request, prefillWorker, prefillKvAddress).WaitAsync(cancellationToken);
            var reader = stream.Channel.Reader;
            // WaitToReadAsync throws the exception a dead silo completed the channel with.
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var delivery))
                {
                    if (delivery.Error is { } error)
                    {
                        ended = true;
                        ExceptionDispatchInfo.Throw(error);
                    }
                    if (delivery.Chunk is not { } chunk)
                    {
                        ended = true;
                        yield break;
                    }
                    ended = chunk.Finished;
                    yield return chunk;
                    if (ended)
                        yield break;
                }
            }
        }
        finally
        {
            streams.TryRemove(id, out _);
            if (!ended)
                CloseQuietly(worker, id);
        }
    }

    /// <summary>Fails every stream whose worker lives on <paramref name="silo"/>, which membership declared dead.</summary>
    public int Fail(SiloAddress silo)
    {
        var failed = 0;
        foreach (var stream in streams.Values)
            if (stream.Silo.Equals(silo) && stream.Channel.Writer.TryComplete(new SiloUnavailableException($"silo {silo} was declared dead while it streamed a request.")))
                failed++;
        return failed;
    }

    void CloseQuietly(IWorkerGrain worker, long id)
    {
        // One-way: the worker may be gone, and the request is over for this gateway either way.
        try
        {
            worker.Close(id, Reference).Ignore();
        }
        catch (Exception)
        {
            // Nothing to do: a worker that is gone has dropped the request already.
        }
    }

    sealed record Inbound(SiloAddress Silo)
    {
        public Channel<TokenDelivery> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<TokenDelivery>(new UnboundedChannelOptions { SingleReader = true });
    }
}
