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

    /// <summary>Prompt tokens sent here to prefill since the last report (not in its cache, as far as the router knew).</summary>
    public long AssignedPrefillTokensSinceReport { get; set; }

    /// <summary>Tokens of KV the requests sent here to decode since the last report will hold.</summary>
    public long AssignedKvTokensSinceReport { get; set; }

    /// <summary>The block hashes its prefix cache holds, as it last published them.</summary>
    public HashSet<ulong> CachedBlocks { get; } = [];

    /// <summary>The pool <see cref="CachedBlocks"/> describes (see <see cref="CachedBlocksUpdate.Epoch"/>); 0 before a snapshot.</summary>
    public long CacheEpoch { get; set; }

    /// <summary>The router's assignment count when this worker was last given a request (0: never): equally loaded
    /// workers take turns by it, so idle workers share a light load instead of the first by name taking it all.</summary>
    public long LastAssigned { get; set; }

    /// <summary>When a request last failed here; null when the worker is in good standing.</summary>
    public DateTime? SuspectSince { get; set; }

    /// <summary>When recent requests failed here (within the breaker's window), oldest first.</summary>
    public Queue<DateTime> Failures { get; } = new();

    /// <summary>Until when its circuit breaker is open (it is avoided); null when closed.</summary>
    public DateTime? BrokenUntil { get; set; }

    /// <summary>When its engine loop was last seen to move, or to have nothing to do.</summary>
    public DateTime ProgressAt { get; set; }

    /// <summary>Its engine has work but its loop has not moved for the stall timeout: it is out of routing.</summary>
    public bool Stuck { get; set; }

    /// <summary>Its process is shutting down: it never gets new work again.</summary>
    public bool Leaving { get; set; }

    /// <summary>The role it is being drained for; null when it takes work as usual.</summary>
    public WorkerRole? DrainingTo { get; set; }

    /// <summary>When a drain that has not been reported done is given up (the switch failed, or its planner went away).</summary>
    public DateTime DrainDeadline { get; set; }
}
