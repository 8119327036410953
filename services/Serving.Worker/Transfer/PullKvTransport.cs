using Serving.Engine.Engine;

namespace Serving.Worker.Transfer;

/// <summary>
/// KV in the pull direction (<c>grpc-pull</c>): the prefill worker queues each group in an outbox of its own process;
/// the decode worker's pull streams it out. The server-stream direction is the faster one in grpc-dotnet.
/// </summary>
public sealed class PullKvTransport(KvOutboxRegistry outboxes) : IKvTransport
{
    public string Name => "grpc-pull";

    public Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken)
    {
        var outbox = new KvOutbox(header);
        outboxes.Add(outbox);
        return Task.FromResult<IKvSender>(new Sender(outboxes, outbox));
    }

    sealed class Sender(KvOutboxRegistry outboxes, KvOutbox outbox) : IKvSender
    {
        public void Enqueue(KvExport group)
        {
            if (!outbox.Items.Writer.TryWrite(group))
                group.Dispose();
        }

        public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
        {
            outbox.Items.Writer.TryWrite(first);
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
}
