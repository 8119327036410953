namespace Serving.Worker.Transfer;

/// <summary>
/// Moves one prompt's KV from a prefill worker to a decode worker, in one of the ways <see cref="KvTransportKind"/>
/// names. Each transport has both sides: the prefill worker opens a sender, the decode worker receives. The cluster
/// runs one kind, chosen once at start-up (<see cref="KvServerExtensions.AddServingKvTransport"/>).
/// </summary>
public interface IKvTransport
{
    KvTransportKind Kind { get; }

    /// <summary>The prefill side: opens a transfer to <paramref name="target"/>; the receiver checks the header before any bytes move.</summary>
    Task<IKvSender> OpenAsync(KvEndpoint target, KvTransferHeader header, CancellationToken cancellationToken);

    /// <summary>
    /// The decode side, run beside the prefill call: returns once the request's KV is imported into the blocks
    /// reserved for it and it is admitted with its first token. <paramref name="peer"/> is the prefill worker.
    /// </summary>
    Task ReceiveAsync(KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken);
}
