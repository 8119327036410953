using System.Collections.Concurrent;
using Serving.Engine.Core;
using Serving.Worker.Transfer;

namespace Serving.KvBench.Sender;

/// <summary>Wraps the real transport and stamps each transfer's open, group queueing, first token and acknowledgement.</summary>
internal sealed class TracingKvTransport(IKvTransport inner) : IKvTransport
{
    readonly ConcurrentDictionary<string, TransferTrace> traces = new();

    public KvTransportKind Kind => inner.Kind;

    public TransferTrace Take(string requestId) =>
        traces.TryRemove(requestId, out var trace) ? trace : throw new InvalidOperationException($"no transfer traced for {requestId}.");

    public async Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken)
    {
        var sender = await inner.OpenAsync(target, header, cancellationToken);
        var trace = new TransferTrace { Opened = Clock.Now() };
        traces[header.RequestId] = trace;
        return new Sender(sender, trace);
    }

    public Task ReceiveAsync(KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(header, inbox, peer, cancellationToken);

    sealed class Sender(IKvSender inner, TransferTrace trace) : IKvSender
    {
        public void Enqueue(KvExport group)
        {
            trace.GroupsQueued.Add(Clock.Now());
            inner.Enqueue(group);
        }

        public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
        {
            trace.FirstToken = Clock.Now();
            await inner.CompleteAsync(first, cancellationToken);
            trace.Acknowledged = Clock.Now();
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
