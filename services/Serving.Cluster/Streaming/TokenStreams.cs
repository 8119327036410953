using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serving.Contracts;

namespace Serving.Cluster.Streaming;

/// <summary>
/// The token streams this silo's workers run for gateways (<see cref="IWorkerGrain.Open"/>). Each stream's pump runs
/// on the thread pool, not in the worker grain's activation, and posts its chunks to its gateway's outbox; an outbox
/// sends everything posted to it in one <see cref="ITokenSink.Deliver"/> call, and what arrives while a call is in
/// flight goes in the next. So at light load a token leaves as soon as it is made, and under load each gateway gets
/// about one message per engine step whatever the number of streams.
/// </summary>
public sealed partial class TokenStreams(ILogger<TokenStreams> logger)
{
    readonly ConcurrentDictionary<ITokenSink, Outbox> outboxes = new();
    readonly ConcurrentDictionary<(ITokenSink Sink, long Id), CancellationTokenSource> open = new();

    /// <summary>Streams running now.</summary>
    public int Open => open.Count;

    /// <summary>Starts pumping <paramref name="chunks"/> (cancelled by <see cref="Close"/>) into the gateway's outbox.</summary>
    public void Start(ITokenSink sink, long id, Func<CancellationToken, IAsyncEnumerable<TokenChunk>> chunks)
    {
        var stop = new CancellationTokenSource();
        if (!open.TryAdd((sink, id), stop))
        {
            stop.Dispose();
            throw new ArgumentException($"stream {id} of this gateway is already open.", nameof(id));
        }
        var outbox = outboxes.GetOrAdd(sink, s => new Outbox(s, this));
        _ = Task.Run(() => PumpAsync(outbox, id, chunks, stop));
    }

    /// <summary>Stops a stream its gateway no longer reads; nothing more is sent for it.</summary>
    public void Close(ITokenSink sink, long id)
    {
        if (open.TryGetValue((sink, id), out var stop))
            stop.Cancel();
    }

    async Task PumpAsync(Outbox outbox, long id, Func<CancellationToken, IAsyncEnumerable<TokenChunk>> chunks, CancellationTokenSource stop)
    {
        try
        {
            var finished = false;
            await foreach (var chunk in chunks(stop.Token).WithCancellation(stop.Token))
            {
                outbox.Post(new TokenDelivery(id, chunk, null));
                finished |= chunk.Finished;
            }
            if (!finished)
                outbox.Post(new TokenDelivery(id, null, null));
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Closed by the gateway, or its gateway is gone: nobody reads this stream any more.
        }
        catch (Exception e)
        {
            outbox.Post(new TokenDelivery(id, null, e));
        }
        finally
        {
            // Not disposed: a source with no timer holds nothing, and Close or a failed gateway may still cancel it.
            open.TryRemove((outbox.Sink, id), out _);
        }
    }

    /// <summary>A gateway that cannot be reached reads none of its streams: stop them all (their KV is freed).</summary>
    void SinkFailed(Outbox outbox, Exception e)
    {
        outboxes.TryRemove(new KeyValuePair<ITokenSink, Outbox>(outbox.Sink, outbox));
        var stopped = 0;
        foreach (var ((sink, _), stop) in open)
        {
            if (!Equals(sink, outbox.Sink))
                continue;
            stop.Cancel();
            stopped++;
        }
        Log.SinkFailed(logger, e, stopped);
    }

    /// <summary>What waits to go to one gateway, sent one call at a time.</summary>
    sealed class Outbox(ITokenSink sink, TokenStreams owner)
    {
        readonly Lock gate = new();
        readonly List<TokenDelivery> pending = [];
        bool sending;

        public ITokenSink Sink { get; } = sink;

        public void Post(TokenDelivery delivery)
        {
            lock (gate)
            {
                pending.Add(delivery);
                if (sending)
                    return;
                sending = true;
            }
            _ = SendAsync();
        }

        async Task SendAsync()
        {
            // The engine hands a step's outputs to every stream at once: let their pumps post before the first call.
            await Task.Yield();
            while (true)
            {
                TokenDelivery[] batch;
                lock (gate)
                {
                    if (pending.Count == 0)
                    {
                        sending = false;
                        return;
                    }
                    batch = [.. pending];
                    pending.Clear();
                }
                try
                {
                    await Sink.Deliver(batch);
                }
                catch (Exception e)
                {
                    lock (gate)
                    {
                        pending.Clear();
                        sending = false;
                    }
                    owner.SinkFailed(this, e);
                    return;
                }
            }
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A gateway's token sink could not be reached; its {Streams} open streams are stopped and their requests aborted.")]
        public static partial void SinkFailed(ILogger logger, Exception e, int streams);
    }
}
