using System.IO.Hashing;
using Grpc.Core;
using Serving.Engine.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer;

/// <summary>
/// The receiving half of one transfer, whichever side opened the stream: verifies each chunk's checksum, assembles
/// each layer group in order in an import buffer of the engine's, queues its import on the engine thread as soon as
/// it is whole (without waiting for it), and admits the request with its first token once every import is done.
/// </summary>
internal sealed class KvReceiveSession(KvInbox inbox, string requestId) : IAsyncDisposable
{
    readonly List<Task> imports = [];
    KvImportBuffer? group;
    int groupFirstLayer, groupEndLayer;
    int filled;

    public long BytesReceived { get; private set; }

    public void Accept(KvChunk chunk) =>
        Accept(chunk.FirstLayer, chunk.EndLayer, chunk.Offset, chunk.GroupBytes, chunk.Checksum, chunk.Data.Span);

    /// <summary>One chunk's fields, its payload read from wherever the message was parsed (a ByteString, or the call's receive buffer).</summary>
    public void Accept(int firstLayer, int endLayer, long offset, long groupBytes, ulong checksum, ReadOnlySpan<byte> data)
    {
        if (XxHash3.HashToUInt64(data) != checksum)
            throw new RpcException(new Status(StatusCode.DataLoss,
                $"chunk at offset {offset} of layers [{firstLayer}, {endLayer}) of request {requestId} failed its checksum."));
        if (group is null)
        {
            if (offset != 0)
                throw Invalid($"layers [{firstLayer}, {endLayer}) of request {requestId} start at offset {offset}, not 0.");
            try
            {
                group = inbox.RentBuffer(firstLayer, endLayer, groupBytes);
            }
            catch (ArgumentException e)
            {
                throw Invalid(e.Message);
            }
            (groupFirstLayer, groupEndLayer) = (firstLayer, endLayer);
        }
        else if (firstLayer != groupFirstLayer || endLayer != groupEndLayer || groupBytes != group.Length || offset != filled)
            throw Invalid($"chunk at offset {offset} of layers [{firstLayer}, {endLayer}) arrived while layers [{groupFirstLayer}, {groupEndLayer}) were at offset {filled}.");
        if (data.IsEmpty || data.Length > group.Length - filled)
            throw Invalid($"chunk at offset {offset} of {data.Length} bytes does not fit its group of {groupBytes} bytes.");

        data.CopyTo(group.Span[filled..]);
        filled += data.Length;
        BytesReceived += data.Length;
        if (filled == group.Length)
        {
            if (KvValues.FirstNonFinite(group.Span, inbox.KvDType) is var at and >= 0)
                throw Invalid($"layers [{groupFirstLayer}, {groupEndLayer}) of request {requestId} hold a non-finite value (element {at}); KV must be finite.");
            var whole = group;
            group = null;
            filled = 0;
            imports.Add(ImportAsync(whole));
        }
    }

    // Async so that a refusal (the request was cancelled meanwhile) is reported by CompleteAsync, like a failed import.
    async Task ImportAsync(KvImportBuffer whole) => await inbox.ImportAsync(requestId, groupFirstLayer, groupEndLayer, whole);

    public async Task CompleteAsync(KvTransferDone done)
    {
        if (group is not null)
            throw Invalid("the transfer ended in the middle of a layer group.");
        await Task.WhenAll(imports);
        await inbox.CompleteAsync(requestId, done.FromProto());
    }

    static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public async ValueTask DisposeAsync()
    {
        group?.Dispose();
        group = null;
        // A failed or cancelled transfer still lets its queued imports finish (they return their buffers).
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
