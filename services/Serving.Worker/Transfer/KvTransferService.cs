using System.Buffers;
using System.IO.Hashing;
using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer;

/// <summary>
/// The receiving end of KV over gRPC, hosted by every process with decode workers. It refuses transfers its
/// workers did not reserve for or whose layout differs, verifies each chunk's checksum, assembles each layer group
/// in a pooled buffer and imports it as soon as it is whole.
/// </summary>
public sealed class KvTransferService(KvInboxRegistry registry) : KvTransfer.KvTransferBase
{
    public override async Task<KvPushReply> Push(IAsyncStreamReader<KvPushRequest> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.KindCase != KvPushRequest.KindOneofCase.Header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a KV transfer must start with its header."));
        var header = requestStream.Current.Header.FromProto();
        var inbox = Guard(() => registry.Find(header.TargetWorker));
        Guard(() => inbox.Check(header));

        byte[]? group = null;
        long received = 0, filled = 0;
        // Imports run on the engine thread in arrival order while this loop keeps reading: the stream never waits on them.
        var imports = new List<Task>();
        try
        {
            while (await requestStream.MoveNext(ct))
            {
                var message = requestStream.Current;
                if (message.KindCase == KvPushRequest.KindOneofCase.Done)
                {
                    if (group is not null)
                        throw new RpcException(new Status(StatusCode.InvalidArgument, "the transfer ended in the middle of a layer group."));
                    await Guard(() => Task.WhenAll(imports));
                    await Guard(() => inbox.CompleteAsync(header.RequestId, message.Done.FromProto()));
                    return new KvPushReply { BytesReceived = received };
                }
                if (message.KindCase != KvPushRequest.KindOneofCase.Chunk)
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"unexpected {message.KindCase} message in a KV transfer."));

                var chunk = message.Chunk;
                var data = chunk.Data.Span;
                if (XxHash3.HashToUInt64(data) != chunk.Checksum)
                    throw new RpcException(new Status(StatusCode.DataLoss,
                        $"chunk at offset {chunk.Offset} of layers [{chunk.FirstLayer}, {chunk.EndLayer}) of request {header.RequestId} failed its checksum."));
                if (chunk.GroupBytes <= 0 || chunk.Offset < 0 || chunk.Offset + data.Length > chunk.GroupBytes || chunk.GroupBytes > int.MaxValue)
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"chunk at offset {chunk.Offset} does not fit its group of {chunk.GroupBytes} bytes."));

                group ??= ArrayPool<byte>.Shared.Rent((int)chunk.GroupBytes);
                data.CopyTo(group.AsSpan((int)chunk.Offset));
                filled += data.Length;
                received += data.Length;
                if (filled == chunk.GroupBytes)
                {
                    imports.Add(ImportAsync(inbox, header.RequestId, chunk.FirstLayer, chunk.EndLayer, group, (int)chunk.GroupBytes));
                    group = null;
                    filled = 0;
                }
            }
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the transfer of request {header.RequestId} ended before its first token was sent."));
        }
        finally
        {
            if (group is not null)
                ArrayPool<byte>.Shared.Return(group);
            // A failed or cancelled transfer still lets its queued imports finish before their buffers go back.
            try
            {
                await Task.WhenAll(imports);
            }
            catch (Exception)
            {
                // Reported above, or the transfer is being abandoned.
            }
        }
    }

    static async Task ImportAsync(KvInbox inbox, string requestId, int firstLayer, int endLayer, byte[] buffer, int length)
    {
        try
        {
            await inbox.ImportAsync(requestId, firstLayer, endLayer, buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (ToStatus(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    static void Guard(Action action) => Guard(() =>
    {
        action();
        return true;
    });

    static async Task Guard(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (ToStatus(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    /// <summary>The gRPC status a receiver-side failure is reported with; null for failures that are not the sender's business.</summary>
    static Status? ToStatus(Exception e) => e switch
    {
        KvTransferException t => new Status(t.Retryable ? StatusCode.Unavailable : StatusCode.FailedPrecondition, t.Message),
        ArgumentException => new Status(StatusCode.InvalidArgument, e.Message),
        InvalidOperationException => new Status(StatusCode.FailedPrecondition, e.Message),
        KeyNotFoundException => new Status(StatusCode.NotFound, e.Message),
        _ => null,
    };
}
