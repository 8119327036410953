using Grpc.Core;

namespace Serving.Worker.Transfer.Pull;

/// <summary>
/// KV pulled over a gRPC server stream (<c>grpc-pull</c>): the prefill worker queues each group in an outbox of its
/// own process (<see cref="PullServer"/> streams it out); the decode worker calls the prefill worker's process and
/// imports the chunks as they arrive, parsed straight into its import buffers. The server-stream direction is the
/// faster one in grpc-dotnet.
/// </summary>
public sealed class PullKvTransport(KvOutboxRegistry outboxes, KvChannels channels) : IKvTransport
{
    public KvTransportKind Kind => KvTransportKind.GrpcPull;

    public Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken)
    {
        var outbox = new KvOutbox(header);
        outboxes.Add(outbox);
        return Task.FromResult<IKvSender>(new PullSender(outboxes, outbox, channels.Options));
    }

    /// <summary>Pulls the request's KV from the prefill worker's process; returns once it is admitted with its first token.</summary>
    public async Task ReceiveAsync(KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken)
    {
        var invoker = channels.For(peer.Address).CreateCallInvoker();
        try
        {
            await using var session = new KvReceiveSession(inbox, header.RequestId);
            var method = KvPullMethod.Rent(session);
            try
            {
                using var call = invoker.AsyncServerStreamingCall(method.Method, null,
                    new CallOptions(deadline: DateTime.UtcNow + channels.Options.CallTimeout, cancellationToken: cancellationToken), header.ToProto());
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
            throw new KvTransferException($"KV pull failed: {rpc.Status.StatusCode}: {rpc.Status.Detail}", KvChannels.IsRetryable(rpc.StatusCode), rpc);
        }
    }
}
