using System.Threading.Channels;
using Serving.Engine.Core;

namespace Serving.Worker.Transfer.Pull;

/// <summary>One item of an outbox: a layer group's KV, or the first token that ends the transfer.</summary>
internal readonly record struct KvOutboxItem(KvExport? Group, FirstToken? First);

/// <summary>
/// One request's outgoing KV in the pull direction: layer groups and then the first token, queued by the prefill
/// worker until the decode worker's pull reads them. <see cref="Drained"/> ends when everything was sent (or failed).
/// </summary>
internal sealed class KvOutbox(KvTransferHeader header)
{
    public KvTransferHeader Header { get; } = header;
    public Channel<KvOutboxItem> Items { get; } = Channel.CreateUnbounded<KvOutboxItem>(new UnboundedChannelOptions { SingleReader = true });
    public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Disposes exports nobody will send.</summary>
    public void Discard()
    {
        Items.Writer.TryComplete();
        while (Items.Reader.TryRead(out var item))
            item.Group?.Dispose();
    }
}
