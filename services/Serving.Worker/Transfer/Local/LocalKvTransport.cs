using Serving.Engine.Core;

namespace Serving.Worker.Transfer.Local;

/// <summary>
/// Hands KV to a decode worker in the same process: the exported buffer is imported straight from its memory,
/// with no serialization and no copy beyond the one into the receiver's pool. The decode worker waits for its inbox.
/// </summary>
public sealed class LocalKvTransport(KvInboxRegistry registry) : IKvTransport
{
    public KvTransportKind Kind => KvTransportKind.Local;

    public Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken)
    {
        var inbox = registry.Find(target.WorkerId);
        inbox.Check(header);
        return Task.FromResult<IKvSender>(new Sender(inbox, header.RequestId));
    }

    public Task ReceiveAsync(KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken) =>
        inbox.AdmittedAsync(header.RequestId, cancellationToken);

    sealed class Sender(KvInbox inbox, string requestId) : IKvSender
    {
        readonly object gate = new();
        Task pending = Task.CompletedTask;

        public void Enqueue(KvExport group)
        {
            lock (gate)
                pending = pending.ContinueWith(async previous =>
                {
                    if (previous.IsFaulted || previous.IsCanceled)
                    {
                        group.Dispose();
                        await previous;
                    }
                    await inbox.ImportAsync(requestId, group);
                }, TaskScheduler.Default).Unwrap();
        }

        public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
        {
            Task all;
            lock (gate)
                all = pending;
            await all.WaitAsync(cancellationToken);
            await inbox.CompleteAsync(requestId, first);
        }

        public async ValueTask DisposeAsync()
        {
            Task all;
            lock (gate)
                all = pending;
            try
            {
                await all;
            }
            catch (Exception)
            {
                // The failure has already surfaced through CompleteAsync, or the transfer was abandoned.
            }
        }
    }
}
