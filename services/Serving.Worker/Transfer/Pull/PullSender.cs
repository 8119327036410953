using Serving.Engine.Core;

namespace Serving.Worker.Transfer.Pull;

/// <summary>One request's KV waiting to be pulled: groups go into its outbox, which the decode worker's pull drains.</summary>
internal sealed class PullSender(KvOutboxRegistry outboxes, KvOutbox outbox) : IKvSender
{
    public void Enqueue(KvExport group)
    {
        if (!outbox.Items.Writer.TryWrite(new KvOutboxItem(group, null)))
            group.Dispose();
    }

    public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
    {
        outbox.Items.Writer.TryWrite(new KvOutboxItem(null, first));
        outbox.Items.Writer.TryComplete();
        await outbox.Drained.Task.WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        outboxes.Remove(outbox.Header.RequestId);
        outbox.Drained.TrySetCanceled();
        outbox.Discard();
        return ValueTask.CompletedTask;
    }
}
