using Serving.Engine.Core;

namespace Serving.Worker.Transfer.Pull;

/// <summary>
/// One request's KV waiting to be pulled: groups go into its outbox, which the decode worker's pull drains. Bounded
/// twice: an outbox holding more than the byte cap fails the transfer, and one nobody drains within the pull wait is
/// dropped (the decode side gave up or died), its exports freed.
/// </summary>
internal sealed class PullSender(KvOutboxRegistry outboxes, KvOutbox outbox, GrpcKvOptions options) : IKvSender
{
    long queuedBytes;

    public void Enqueue(KvExport group)
    {
        // What the pull has taken is not tracked: the cap bounds what this request ever queued, which is the same
        // bound for a pull that has not started (the case that matters: nobody reading).
        if (Interlocked.Add(ref queuedBytes, group.ByteLength) > options.MaxQueuedBytes)
        {
            outbox.Discard();
            group.Dispose();
            return;
        }
        if (!outbox.Items.Writer.TryWrite(new KvOutboxItem(group, null)))
            group.Dispose();
    }

    public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref queuedBytes) > options.MaxQueuedBytes)
            throw new KvTransferException($"request {outbox.Header.RequestId}'s KV outgrew the send queue's cap of {options.MaxQueuedBytes >> 20} MiB.", retryable: false);
        outbox.Items.Writer.TryWrite(new KvOutboxItem(null, first));
        outbox.Items.Writer.TryComplete();
        try
        {
            await outbox.Drained.Task.WaitAsync(options.PullWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new KvTransferException($"nobody pulled request {outbox.Header.RequestId}'s KV within {options.PullWait.TotalSeconds:0} s; dropped.", retryable: false);
        }
    }

    public ValueTask DisposeAsync()
    {
        outboxes.Remove(outbox.Header.RequestId);
        outbox.Drained.TrySetCanceled();
        outbox.Discard();
        return ValueTask.CompletedTask;
    }
}
