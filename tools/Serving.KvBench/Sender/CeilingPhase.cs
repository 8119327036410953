using System.IO.Hashing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.KvBench.Protocol;
using Serving.KvBench.Reporting;
using Serving.Worker.Transfer;

namespace Serving.KvBench.Sender;

/// <summary>
/// gRPC without the KV path: the same byte count in checksummed blobs over a channel configured like the KV transport,
/// in both directions. What the KV path reaches is to be read against this, not only against raw TCP.
/// </summary>
internal sealed class CeilingPhase(ReceiverProcess receiver, int chunkBytes) : IDisposable
{
    readonly GrpcKvOptions options = new() { ChunkBytes = chunkBytes };
    readonly byte[] payload = Random.Shared.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), chunkBytes);
    GrpcChannel? channel;

    BareTransfer.BareTransferClient Client()
    {
        channel ??= GrpcChannel.ForAddress(receiver.KvAddress, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { InitialHttp2StreamWindowSize = options.StreamWindowBytes, EnableMultipleHttp2Connections = true },
            MaxSendMessageSize = options.MaxMessageBytes,
            MaxReceiveMessageSize = options.MaxMessageBytes,
        });
        return new BareTransfer.BareTransferClient(channel);
    }

    public async Task<ThroughputSample> UpAsync(int rep, long bytes)
    {
        var cpu = Cpu();
        var start = Clock.Now();
        using var call = Client().Up();
        var checksum = XxHash3.HashToUInt64(payload);
        for (long sent = 0; sent < bytes; sent += payload.Length)
            await call.RequestStream.WriteAsync(new BareBlob { Data = UnsafeByteOperations.UnsafeWrap(payload), Checksum = checksum });
        await call.RequestStream.CompleteAsync();
        var ack = await call.ResponseAsync;
        var end = Clock.Now();
        cpu = Cpu() - cpu;
        return ThroughputSample.Of(rep, "bare-client-stream", chunkBytes, 1, ack.Bytes, Clock.Ms(start, end) / 1000, cpu);
    }

    public async Task<ThroughputSample> DownAsync(int rep, long bytes)
    {
        var cpu = Cpu();
        var start = Clock.Now();
        using var call = Client().Down(new BareRequest { TotalBytes = bytes, ChunkBytes = chunkBytes });
        var sink = new byte[chunkBytes];
        long received = 0;
        await foreach (var blob in call.ResponseStream.ReadAllAsync())
        {
            if (XxHash3.HashToUInt64(blob.Data.Span) != blob.Checksum)
                throw new InvalidOperationException("bare blob failed its checksum");
            blob.Data.Span.CopyTo(sink);
            received += blob.Data.Length;
        }
        var end = Clock.Now();
        cpu = Cpu() - cpu;
        return ThroughputSample.Of(rep, "bare-server-stream", chunkBytes, 1, received, Clock.Ms(start, end) / 1000, cpu);
    }

    public void Dispose() => channel?.Dispose();

    /// <summary>CPU seconds used so far by this process and the receiver.</summary>
    double Cpu() => CpuClock.Seconds(Environment.ProcessId, receiver.ProcessId);
}
