using Serving.Contracts;

namespace Serving.Cluster.Routing;

/// <summary>The router's mutable view of one worker: its last report, and assignments made since.</summary>
public sealed class WorkerState(WorkerInfo info)
{
    public WorkerInfo Info { get; set; } = info;
    public WorkerLoadReport Load { get; set; } = new(0, 0, 0, 0, 0);
    public DateTime LastReport { get; set; }

    /// <summary>Requests sent here since the last report: counted so a burst does not all land on one worker.</summary>
    public int AssignedSinceReport { get; set; }

    public int Pending => Load.Queued + AssignedSinceReport;

    /// <summary>The router's assignment count when this worker was last given a request (0: never): equally loaded
    /// workers take turns by it, so idle workers share a light load instead of the first by name taking it all.</summary>
    public long LastAssigned { get; set; }

    /// <summary>When a request last failed here; null when the worker is in good standing.</summary>
    public DateTime? SuspectSince { get; set; }

    /// <summary>Its process is shutting down: it never gets new work again.</summary>
    public bool Leaving { get; set; }

    /// <summary>The role it is being drained for; null when it takes work as usual.</summary>
    public WorkerRole? DrainingTo { get; set; }
}
