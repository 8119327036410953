namespace Serving.Worker.Transfer;

/// <summary>
/// A transfer the receiver refused or could not complete; <see cref="Retryable"/> says whether trying again can help,
/// <see cref="Denied"/> that the peer is not part of the request's assignment.
/// </summary>
public sealed class KvTransferException(string message, bool retryable, Exception? inner = null, bool denied = false) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
    public bool Denied { get; } = denied;

    /// <summary>A peer that does not hold the request's transfer token: PERMISSION_DENIED, and the request is untouched.</summary>
    public static KvTransferException NotAssigned(string requestId, string worker) =>
        new($"worker '{worker}' is not assigned to move KV for request '{requestId}' (its transfer token does not match).", retryable: false, denied: true);
}
