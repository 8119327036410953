using System.IO.Hashing;
using Grpc.Core;
using Serving.KvBench.Protocol;

namespace Serving.KvBench.Receiver;

/// <summary>Receives or sends checksummed blobs and does nothing else: gRPC's own ceiling, measured beside the KV path.</summary>
internal sealed class BareTransferService : BareTransfer.BareTransferBase
{
    public override async Task<BareAck> Up(IAsyncStreamReader<BareBlob> requestStream, ServerCallContext context)
    {
        long bytes = 0;
        var sink = new byte[1 << 20];
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var data = requestStream.Current.Data.Span;
            if (XxHash3.HashToUInt64(data) != requestStream.Current.Checksum)
                throw new RpcException(new Status(StatusCode.DataLoss, "checksum"));
            // Copy once, as the KV receiver copies each chunk into its group buffer.
            data.CopyTo(sink);
            bytes += data.Length;
        }
        return new BareAck { Bytes = bytes };
    }

    public override async Task Down(BareRequest request, IServerStreamWriter<BareBlob> responseStream, ServerCallContext context)
    {
        var payload = new byte[request.ChunkBytes];
        Random.Shared.NextBytes(payload);
        var checksum = XxHash3.HashToUInt64(payload);
        for (long sent = 0; sent < request.TotalBytes; sent += payload.Length)
            await responseStream.WriteAsync(new BareBlob { Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(payload), Checksum = checksum }, context.CancellationToken);
    }
}
