using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Push;

/// <summary>
/// KV pushed over a gRPC client stream (<c>grpc</c>): the prefill worker sends the header, each group's bytes in
/// checksummed chunks wrapped without copying, then the first token, to the decode worker's process
/// (<see cref="PushReceiver"/>), which imports as the bytes arrive. The decode worker waits for its inbox.
/// </summary>
public sealed class PushKvTransport(KvChannels channels) : IKvTransport
{
    public KvTransportKind Kind => KvTransportKind.Grpc;

    public async Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken)
    {
        var client = new KvTransfer.KvTransferClient(channels.For(target.Address));
        var call = client.Push(deadline: DateTime.UtcNow + channels.Options.CallTimeout, cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new KvPushRequest { Header = header.ToProto() }, cancellationToken);
        }
        catch (Exception e)
        {
            throw await PushSender.Describe(call, e);
        }
        return new PushSender(call, channels.Options.ChunkBytes, channels.Options.MaxQueuedBytes);
    }

    public Task ReceiveAsync(KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken) =>
        inbox.AdmittedAsync(header.RequestId, cancellationToken);
}
