namespace Serving.Worker.Transfer;

/// <summary>Moves KV from a prefill worker to a decode worker. Implementations are chosen by name: <c>grpc</c>, <c>local</c>.</summary>
public interface IKvTransport
{
    string Name { get; }

    /// <summary>Opens a transfer to the endpoint; the receiver checks the header before any bytes move.</summary>
    Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken);
}
