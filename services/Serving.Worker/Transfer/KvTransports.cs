using Serving.Worker.Transfer.Local;
using Serving.Worker.Transfer.Pull;
using Serving.Worker.Transfer.Push;

namespace Serving.Worker.Transfer;

/// <summary>Makes the transport of a kind, over this process's inboxes (decode side) and outboxes (pull senders).</summary>
public static class KvTransports
{
    public static IKvTransport Create(KvTransportKind kind, KvInboxRegistry inboxes, KvOutboxRegistry outboxes, KvChannels channels) => kind switch
    {
        KvTransportKind.Grpc => new PushKvTransport(channels),
        KvTransportKind.GrpcPull => new PullKvTransport(outboxes, channels),
        KvTransportKind.Local => new LocalKvTransport(inboxes),
        _ => new AutoKvTransport(inboxes, new LocalKvTransport(inboxes), new PushKvTransport(channels)),
    };
}
