using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Pull;

/// <summary>
/// One message of a pull as <see cref="KvPullMethod"/> parses it: a chunk already checked and copied into the
/// receive session, the first token, or why the message was refused.
/// </summary>
internal sealed class KvPullFrame
{
    public static readonly KvPullFrame Chunk = new();

    public KvTransferDone? Done { get; private init; }
    public Exception? Failure { get; private init; }
    /// <summary>A message of a kind a pull never carries (a header).</summary>
    public bool Unexpected { get; private init; }

    public static KvPullFrame Of(KvTransferDone done) => new() { Done = done };
    public static KvPullFrame Failed(Exception e) => new() { Failure = e };
    public static readonly KvPullFrame Other = new() { Unexpected = true };
}
