using Serving.Engine.Cache;

namespace Serving.Worker.Transfer;

/// <summary>Opens a transfer: which request, for which worker, in which layout, for how many prompt tokens.</summary>
public sealed record KvTransferHeader(string RequestId, string TargetWorker, KvLayout Layout, int TokenCount);
