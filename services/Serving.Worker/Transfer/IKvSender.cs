using Serving.Engine.Core;

namespace Serving.Worker.Transfer;

/// <summary>One request's outgoing KV. Groups are queued without blocking the engine thread and sent in order.</summary>
public interface IKvSender : IAsyncDisposable
{
    /// <summary>Queues one layer group; the sender owns the export from here on and disposes it.</summary>
    void Enqueue(KvExport group);

    /// <summary>Sends the first token after every group and returns once the receiver has imported everything.</summary>
    Task CompleteAsync(FirstToken first, CancellationToken cancellationToken);
}
