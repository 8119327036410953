using System.Buffers;
using System.IO.Hashing;
using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer;

/// <summary>
/// The receiving half of one transfer, whichever side opened the stream: verifies each chunk's checksum, assembles
/// each layer group in a pooled buffer, queues its import on the engine thread as soon as it is whole (without
/// waiting for it), and admits the request with its first token once every import is done.
/// </summary>
internal sealed class KvReceiveSession(KvInbox inbox, string requestId) : IAsyncDisposable
{
    readonly List<Task> imports = [];
    byte[]? group;
    long filled;

    public long BytesReceived { get; private set; }

    public void Accept(KvChunk chunk)
    {
        var data = chunk.Data.Span;
        if (XxHash3.HashToUInt64(data) != chunk.Checksum)
            throw new RpcException(new Status(StatusCode.DataLoss,
                $"chunk at offset {chunk.Offset} of layers [{chunk.FirstLayer}, {chunk.EndLayer}) of request {requestId} failed its checksum."));
        if (chunk.GroupBytes <= 0 || chunk.Offset < 0 || chunk.Offset + data.Length > chunk.GroupBytes || chunk.GroupBytes > int.MaxValue)
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"chunk at offset {chunk.Offset} does not fit its group of {chunk.GroupBytes} bytes."));

        group ??= ArrayPool<byte>.Shared.Rent((int)chunk.GroupBytes);
        data.CopyTo(group.AsSpan((int)chunk.Offset));
        filled += data.Length;
        BytesReceived += data.Length;
        if (filled == chunk.GroupBytes)
        {
            imports.Add(Import(chunk.FirstLayer, chunk.EndLayer, group, (int)chunk.GroupBytes));
            group = null;
            filled = 0;
        }
    }

    public async Task CompleteAsync(KvTransferDone done)
    {
        if (group is not null)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the transfer ended in the middle of a layer group."));
        await Task.WhenAll(imports);
        await inbox.CompleteAsync(requestId, done.FromProto());
    }

    async Task Import(int firstLayer, int endLayer, byte[] buffer, int length)
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

    public async ValueTask DisposeAsync()
    {
        if (group is not null)
            ArrayPool<byte>.Shared.Return(group);
        group = null;
        // A failed or cancelled transfer still lets its queued imports finish before their buffers go back.
        try
        {
            await Task.WhenAll(imports);
        }
        catch (Exception)
        {
            // Reported by CompleteAsync, or the transfer is being abandoned.
        }
    }
}
