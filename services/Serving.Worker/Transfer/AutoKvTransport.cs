using Serving.Worker.Transfer.Local;
using Serving.Worker.Transfer.Push;

namespace Serving.Worker.Transfer;

/// <summary>
/// The default: the zero-copy local handoff when the decode worker lives in this process, a gRPC push otherwise. The
/// decode side waits for its inbox either way.
/// </summary>
public sealed class AutoKvTransport(KvInboxRegistry registry, LocalKvTransport local, PushKvTransport push) : IKvTransport
{
    public KvTransportKind Kind => KvTransportKind.Auto;

    public Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken) =>
        (registry.Contains(target.WorkerId) ? (IKvTransport)local : push).OpenAsync(target, header, cancellationToken);

    public Task ReceiveAsync(KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken) =>
        inbox.AdmittedAsync(header.RequestId, cancellationToken);
}
