using System.Threading.Channels;
using Grpc.Core;
using Serving.Engine.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Push;

/// <summary>One request's push: groups are queued without blocking the engine thread and written in order by a pump.</summary>
internal sealed class PushSender : IKvSender
{
    readonly AsyncClientStreamingCall<KvPushRequest, KvPushReply> call;
    readonly int chunkBytes;
    readonly Channel<KvExport> queue = Channel.CreateUnbounded<KvExport>(new UnboundedChannelOptions { SingleReader = true });
    readonly Task pump;
    readonly long maxQueuedBytes;
    long queuedBytes;
    volatile bool overflowed;

    /// <param name="maxQueuedBytes">KV bytes computed but not yet written that this transfer may hold; past it, it fails.</param>
    public PushSender(AsyncClientStreamingCall<KvPushRequest, KvPushReply> call, int chunkBytes, long maxQueuedBytes)
    {
        this.call = call;
        this.chunkBytes = chunkBytes;
        this.maxQueuedBytes = maxQueuedBytes;
        pump = Task.Run(Pump);
    }

    /// <summary>Called on the engine thread, so it never waits: a receiver too slow to keep the queue under its cap fails the transfer.</summary>
    public void Enqueue(KvExport group)
    {
        if (Interlocked.Add(ref queuedBytes, group.ByteLength) > maxQueuedBytes)
        {
            overflowed = true;
            queue.Writer.TryComplete();
        }
        if (!queue.Writer.TryWrite(group))
            group.Dispose();
    }

    async Task Pump()
    {
        await foreach (var group in queue.Reader.ReadAllAsync())
        {
            var bytes = group.ByteLength;
            using (group)
            {
                foreach (var chunk in KvChunking.Chunks(group, chunkBytes))
                    await call.RequestStream.WriteAsync(chunk);
            }
            Interlocked.Add(ref queuedBytes, -bytes);
        }
    }

    public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        if (overflowed)
        {
            call.Dispose();
            throw new KvTransferException($"the KV waiting to be sent outgrew the send queue's cap of {maxQueuedBytes >> 20} MiB: the receiver reads too slowly.", retryable: true);
        }
        try
        {
            await pump.WaitAsync(cancellationToken);
            await call.RequestStream.WriteAsync(new KvPushRequest { Done = first.ToProto() }, cancellationToken);
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw await Describe(call, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        try
        {
            await pump;
        }
        catch (Exception)
        {
            // Already reported through CompleteAsync, or the transfer was abandoned.
        }
        while (queue.Reader.TryRead(out var left))
            left.Dispose();
        call.Dispose();
    }

    /// <summary>Turns a failed call into a <see cref="KvTransferException"/> carrying the receiver's status when there is one.</summary>
    public static async Task<KvTransferException> Describe(AsyncClientStreamingCall<KvPushRequest, KvPushReply> call, Exception e)
    {
        if (e is not RpcException)
        {
            try
            {
                await call.ResponseAsync;
            }
            catch (RpcException status)
            {
                e = status;
            }
            catch (Exception)
            {
                // Keep the original failure.
            }
        }
        return e is RpcException rpc
            ? new KvTransferException($"KV transfer failed: {rpc.Status.StatusCode}: {rpc.Status.Detail}", KvChannels.IsRetryable(rpc.StatusCode), rpc)
            : new KvTransferException($"KV transfer failed: {e.Message}", retryable: true, e);
    }
}
