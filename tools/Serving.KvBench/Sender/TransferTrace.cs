namespace Serving.KvBench.Sender;

/// <summary>When one transfer's events happened on the sending side (clock timestamps; 0 when not yet).</summary>
internal sealed class TransferTrace
{
    public long Opened { get; set; }
    public List<long> GroupsQueued { get; } = [];
    /// <summary>The prefill worker had its first token: <see cref="Worker.Transfer.IKvSender.CompleteAsync"/> was called.</summary>
    public long FirstToken { get; set; }
    /// <summary>The receiver acknowledged the whole transfer (everything imported, request admitted).</summary>
    public long Acknowledged { get; set; }
}
