using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Pull;

/// <summary>
/// The prefill worker's process answering a pull: waits for the request's outbox, checks that the puller is the
/// decode worker it is meant for, in the same layout, and streams each group in checksummed chunks, then the first token.
/// </summary>
internal static class PullServer
{
    static readonly TimeSpan OutboxWait = TimeSpan.FromSeconds(10);

    public static async Task ServeAsync(KvOutboxRegistry outboxes, GrpcKvOptions options, KvTransferHeader wanted, IServerStreamWriter<KvPushRequest> responseStream, CancellationToken ct)
    {
        var outbox = await KvStatus.Guard(() => outboxes.WaitAsync(wanted.RequestId, OutboxWait, ct));
        // A puller without the assignment's token is refused before anything is read: the outbox stays for the one that has it.
        if (!outbox.Header.Admits(wanted))
            throw new RpcException(KvStatus.Of(KvTransferException.NotAssigned(wanted.RequestId, wanted.TargetWorker))!.Value);
        try
        {
            if (outbox.Header.TargetWorker != wanted.TargetWorker)
                throw new KvTransferException($"KV for request '{wanted.RequestId}' is meant for worker '{outbox.Header.TargetWorker}', not '{wanted.TargetWorker}'.", retryable: false);
            if (outbox.Header.Layout != wanted.Layout)
                throw new KvTransferException(
                    $"KV layout mismatch for request '{wanted.RequestId}': sender has {outbox.Header.Layout}, worker '{wanted.TargetWorker}' has {wanted.Layout}.", retryable: false);
            if (outbox.Header.CachedTokens != wanted.CachedTokens)
                throw new KvTransferException(
                    $"KV for request '{wanted.RequestId}' skips {outbox.Header.CachedTokens} cached tokens; worker '{wanted.TargetWorker}' holds {wanted.CachedTokens}.", retryable: false);
            await foreach (var item in outbox.Items.Reader.ReadAllAsync(ct))
            {
                if (item.Group is { } group)
                {
                    using (group)
                        foreach (var chunk in KvChunking.Chunks(group, options.ChunkBytes))
                            await responseStream.WriteAsync(chunk, ct);
                }
                else if (item.First is { } first)
                    await responseStream.WriteAsync(new KvPushRequest { Done = first.ToProto() }, ct);
            }
            outbox.Drained.TrySetResult();
        }
        catch (Exception e)
        {
            outbox.Drained.TrySetException(e as KvTransferException ?? new KvTransferException($"KV pull for request '{wanted.RequestId}' failed: {e.Message}", retryable: true, e));
            outbox.Discard();
            throw KvStatus.Of(e) is { } status ? new RpcException(status) : e;
        }
    }
}
