using System.Collections.Concurrent;

namespace Serving.Worker.Transfer.Pull;

/// <summary>The outboxes of this process's prefill workers, by request id; a pull may arrive before its outbox exists.</summary>
public sealed class KvOutboxRegistry
{
    readonly ConcurrentDictionary<string, TaskCompletionSource<KvOutbox>> outboxes = new();

    internal void Add(KvOutbox outbox) => Slot(outbox.Header.RequestId).TrySetResult(outbox);

    internal void Remove(string requestId) => outboxes.TryRemove(requestId, out _);

    /// <summary>Waits for the prefill worker to open the request's outbox.</summary>
    internal async Task<KvOutbox> WaitAsync(string requestId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await Slot(requestId).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            outboxes.TryRemove(requestId, out _);
            throw new KvTransferException($"no prefill in this process is producing KV for request '{requestId}'.", retryable: true);
        }
    }

    TaskCompletionSource<KvOutbox> Slot(string requestId) =>
        outboxes.GetOrAdd(requestId, _ => new TaskCompletionSource<KvOutbox>(TaskCreationOptions.RunContinuationsAsynchronously));
}
