namespace Serving.Worker.Transfer;

/// <summary>
/// The default choice: the zero-copy <c>local</c> handoff when the decode worker lives in this process, <c>grpc</c> otherwise.
/// </summary>
public sealed class AutoKvTransport(KvInboxRegistry registry, LocalKvTransport local, GrpcKvTransport grpc) : IKvTransport
{
    public string Name => "auto";

    public Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken) =>
        (registry.Contains(target.WorkerId) ? (IKvTransport)local : grpc).OpenAsync(target, header, cancellationToken);
}
