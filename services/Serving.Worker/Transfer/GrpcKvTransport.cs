using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Engine.Engine;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer;

/// <summary>
/// KV over a gRPC client stream: header, then each group's bytes in checksummed chunks wrapped without copying,
/// then the first token. One channel (HTTP/2 connection pool) per peer, with windows sized for bulk transfer.
/// </summary>
public sealed class GrpcKvTransport(GrpcKvOptions options) : IKvTransport, IDisposable
{
    readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    public string Name => "grpc";

    public async Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken)
    {
        var client = new KvTransfer.KvTransferClient(Channel(target.Address));
        var call = client.Push(cancellationToken: cancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(new KvPushRequest { Header = header.ToProto() }, cancellationToken);
        }
        catch (Exception e)
        {
            throw await Describe(call, e);
        }
        return new Sender(call, options.ChunkBytes);
    }

    /// <summary>
    /// The pull direction, from the decode side: asks the prefill worker's process for the request's KV and imports
    /// it as it streams in; returns once the request is admitted with its first token.
    /// </summary>
    public async Task PullAsync(string prefillAddress, KvTransferHeader header, KvInbox inbox, CancellationToken cancellationToken)
    {
        var invoker = Channel(prefillAddress).CreateCallInvoker();
        try
        {
            await using var session = new KvReceiveSession(inbox, header.RequestId);
            var method = KvPullMethod.Rent(session);
            try
            {
                using var call = invoker.AsyncServerStreamingCall(method.Method, null, new CallOptions(cancellationToken: cancellationToken), header.ToProto());
                // Chunks are checked and copied into the session as they are parsed; what is left here is the ending.
                await foreach (var frame in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    if (frame.Failure is { } failure)
                        throw failure;
                    if (frame.Done is { } done)
                    {
                        await session.CompleteAsync(done);
                        return;
                    }
                    if (frame.Unexpected)
                        throw new KvTransferException($"the KV pull of request '{header.RequestId}' carried a message that is neither a chunk nor the first token.", retryable: false);
                }
            }
            finally
            {
                method.Return();
            }
            throw new KvTransferException($"the KV pull of request '{header.RequestId}' ended before its first token.", retryable: true);
        }
        catch (RpcException rpc) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KvTransferException($"KV pull failed: {rpc.Status.StatusCode}: {rpc.Status.Detail}", IsRetryable(rpc.StatusCode), rpc);
        }
    }

    GrpcChannel Channel(string address) => channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            InitialHttp2StreamWindowSize = options.StreamWindowBytes,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        },
        MaxSendMessageSize = options.MaxMessageBytes,
        MaxReceiveMessageSize = options.MaxMessageBytes,
        // A call cancelled by our token ends as OperationCanceledException, not RpcException(Cancelled) on some paths.
        ThrowOperationCanceledOnCancellation = true,
    }));

    /// <summary>Turns a failed call into a <see cref="KvTransferException"/> carrying the receiver's status when there is one.</summary>
    static async Task<KvTransferException> Describe(AsyncClientStreamingCall<KvPushRequest, KvPushReply> call, Exception e)
    {
        if (e is not RpcException)
        {
            try
            {
                await call.ResponseAsync;
            }
            catch (RpcException status)
            {
                e = status;
            }
            catch (Exception)
            {
                // Keep the original failure.
            }
        }
        return e is RpcException rpc
            ? new KvTransferException($"KV transfer failed: {rpc.Status.StatusCode}: {rpc.Status.Detail}", IsRetryable(rpc.StatusCode), rpc)
            : new KvTransferException($"KV transfer failed: {e.Message}", retryable: true, e);
    }

    static bool IsRetryable(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.DataLoss or StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown;

    public void Dispose()
    {
        foreach (var channel in channels.Values)
            channel.Dispose();
    }

    sealed class Sender : IKvSender
    {
        readonly AsyncClientStreamingCall<KvPushRequest, KvPushReply> call;
        readonly int chunkBytes;
        readonly Channel<KvExport> queue = System.Threading.Channels.Channel.CreateUnbounded<KvExport>(new UnboundedChannelOptions { SingleReader = true });
        readonly Task pump;

        public Sender(AsyncClientStreamingCall<KvPushRequest, KvPushReply> call, int chunkBytes)
        {
            this.call = call;
            this.chunkBytes = chunkBytes;
            pump = Task.Run(Pump);
        }

        public void Enqueue(KvExport group)
        {
            if (!queue.Writer.TryWrite(group))
                group.Dispose();
        }

        async Task Pump()
        {
            await foreach (var group in queue.Reader.ReadAllAsync())
            {
                using (group)
                {
                    foreach (var chunk in KvChunking.Chunks(group, chunkBytes))
                        await call.RequestStream.WriteAsync(chunk);
                }
            }
        }

        public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken)
        {
            queue.Writer.TryComplete();
            try
            {
                await pump.WaitAsync(cancellationToken);
                await call.RequestStream.WriteAsync(new KvPushRequest { Done = first.ToProto() }, cancellationToken);
                await call.RequestStream.CompleteAsync();
                await call.ResponseAsync.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw await Describe(call, e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            queue.Writer.TryComplete();
            try
            {
                await pump;
            }
            catch (Exception)
            {
                // Already reported through CompleteAsync, or the transfer was abandoned.
            }
            while (queue.Reader.TryRead(out var left))
                left.Dispose();
            call.Dispose();
        }
    }
}
