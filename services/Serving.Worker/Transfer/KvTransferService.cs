using Grpc.Core;
using Serving.Protocol.V1;
using Serving.Worker.Transfer.Pull;
using Serving.Worker.Transfer.Push;

namespace Serving.Worker.Transfer;

/// <summary>
/// The KV gRPC service every process with workers hosts: the receiving end of a push (into this process's decode
/// workers) and the sending end of a pull (out of this process's prefill workers).
/// </summary>
public sealed class KvTransferService(KvInboxRegistry inboxes, KvOutboxRegistry outboxes, GrpcKvOptions options) : KvTransfer.KvTransferBase
{
    public override Task<KvPushReply> Push(IAsyncStreamReader<KvPushRequest> requestStream, ServerCallContext context) =>
        PushReceiver.ReceiveAsync(inboxes, requestStream, context.CancellationToken);

    public override Task Pull(Protocol.V1.KvTransferHeader request, IServerStreamWriter<KvPushRequest> responseStream, ServerCallContext context) =>
        PullServer.ServeAsync(outboxes, options, request.FromProto(), responseStream, context.CancellationToken);
}
