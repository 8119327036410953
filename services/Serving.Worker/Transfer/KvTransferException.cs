namespace Serving.Worker.Transfer;

/// <summary>A transfer the receiver refused or could not complete; <see cref="Retryable"/> says whether trying again can help.</summary>
public sealed class KvTransferException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}
