using System.Collections.Concurrent;

namespace Serving.Worker.Transfer;

/// <summary>The decode workers of this process, by worker id: where incoming transfers are routed.</summary>
public sealed class KvInboxRegistry
{
    readonly ConcurrentDictionary<string, KvInbox> inboxes = new();

    public void Add(KvInbox inbox) => inboxes[inbox.WorkerId] = inbox;

    public void Remove(string workerId) => inboxes.TryRemove(workerId, out _);

    public bool Contains(string workerId) => inboxes.ContainsKey(workerId);

    public KvInbox Find(string workerId) =>
        inboxes.TryGetValue(workerId, out var inbox)
            ? inbox
            : throw new KvTransferException($"no decode worker '{workerId}' in this process.", retryable: false);
}
