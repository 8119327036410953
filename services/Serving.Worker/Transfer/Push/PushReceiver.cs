using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Push;

/// <summary>
/// The decode worker's process receiving a push: refuses a transfer its worker did not reserve for or whose layout
/// differs, then hands each chunk to a receive session, which checks it and imports each group as it is whole.
/// </summary>
internal static class PushReceiver
{
    public static async Task<KvPushReply> ReceiveAsync(KvInboxRegistry registry, IAsyncStreamReader<KvPushRequest> requestStream, CancellationToken ct)
    {
        if (!await requestStream.MoveNext(ct) || requestStream.Current.KindCase != KvPushRequest.KindOneofCase.Header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a KV transfer must start with its header."));
        var header = requestStream.Current.Header.FromProto();
        var inbox = KvStatus.Guard(() => registry.Find(header.TargetWorker));
        KvStatus.Guard(() => inbox.Check(header));

        await using var session = new KvReceiveSession(inbox, header.RequestId);
        while (await requestStream.MoveNext(ct))
        {
            var message = requestStream.Current;
            switch (message.KindCase)
            {
                case KvPushRequest.KindOneofCase.Chunk:
                    session.Accept(message.Chunk);
                    break;
                case KvPushRequest.KindOneofCase.Done:
                    await KvStatus.Guard(() => session.CompleteAsync(message.Done));
                    return new KvPushReply { BytesReceived = session.BytesReceived };
                default:
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"unexpected {message.KindCase} message in a KV transfer."));
            }
        }
        throw new RpcException(new Status(StatusCode.InvalidArgument, $"the transfer of request {header.RequestId} ended before its first token was sent."));
    }
}
