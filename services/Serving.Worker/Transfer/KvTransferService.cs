using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer;

/// <summary>
/// The receiving end of KV over gRPC, hosted by every process with decode workers. It refuses transfers its
/// workers did not reserve for or whose layout differs, verifies each chunk's checksum, assembles each layer group
/// in a pooled buffer and imports it as soon as it is whole.
/// </summary>
public sealed class KvTransferService(KvInboxRegistry registry, KvOutboxRegistry outboxes, GrpcKvOptions options) : KvTransfer.KvTransferBase
{
    static readonly TimeSpan OutboxWait = TimeSpan.FromSeconds(10);

    /// <summary>The pull direction: streams a prefill worker's outbox to the decode worker that asks for it.</summary>
    public override async Task Pull(Protocol.V1.KvTransferHeader request, IServerStreamWriter<KvPushRequest> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        var wanted = request.FromProto();
        var outbox = await Guard(() => outboxes.WaitAsync(wanted.RequestId, OutboxWait, ct));
        try
        {
            if (outbox.Header.TargetWorker != wanted.TargetWorker)
                throw new KvTransferException($"KV for request '{wanted.RequestId}' is meant for worker '{outbox.Header.TargetWorker}', not '{wanted.TargetWorker}'.", retryable: false);
            if (outbox.Header.Layout != wanted.Layout)
                throw new KvTransferException(
                    $"KV layout mismatch for request '{wanted.RequestId}': sender has {outbox.Header.Layout}, worker '{wanted.TargetWorker}' has {wanted.Layout}.", retryable: false);
            await foreach (var item in outbox.Items.Reader.ReadAllAsync(ct))
            {
                if (item is Serving.Engine.Engine.KvExport group)
                {
                    using (group)
                        foreach (var chunk in KvChunking.Chunks(group, options.ChunkBytes))
                            await responseStream.WriteAsync(chunk, ct);
                }
                else if (item is FirstToken first)
                    await responseStream.WriteAsync(new KvPushRequest { Done = first.ToProto() }, ct);
            }
            outbox.Drained.TrySetResult();
        }
        catch (Exception e)
        {
            outbox.Drained.TrySetException(e as KvTransferException ?? new KvTransferException($"KV pull for request '{wanted.RequestId}' failed: {e.Message}", retryable: true, e));
            outbox.Discard();
            throw ToStatus(e) is { } status ? new RpcException(status) : e;
        }
    }

    public override async Task<KvPushReply> Push(IAsyncStreamReader<KvPushRequest> requestStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct) || requestStream.Current.KindCase != KvPushRequest.KindOneofCase.Header)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "a KV transfer must start with its header."));
        var header = requestStream.Current.Header.FromProto();
        var inbox = Guard(() => registry.Find(header.TargetWorker));
        Guard(() => inbox.Check(header));

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
                    await Guard(() => session.CompleteAsync(message.Done));
                    return new KvPushReply { BytesReceived = session.BytesReceived };
                default:
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"unexpected {message.KindCase} message in a KV transfer."));
            }
        }
        throw new RpcException(new Status(StatusCode.InvalidArgument, $"the transfer of request {header.RequestId} ended before its first token was sent."));
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

    static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (ToStatus(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

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
