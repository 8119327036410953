namespace Serving.Contracts;

/// <summary>The cluster's router: knows the live workers, their roles and load, and assigns each request its workers.</summary>
public interface IRouterGrain : IGrainWithIntegerKey
{
    /// <summary>A worker's periodic heartbeat: registers it if new, and records its load.</summary>
    Task Report(WorkerInfo worker, WorkerLoadReport load);

    /// <summary>
    /// A worker's prefix-cache changes (sent with its heartbeat when there are any). Returns false when the router
    /// cannot apply them (it does not know the worker yet, or the update is a delta on another pool's index): the
    /// worker sends a snapshot next.
    /// </summary>
    Task<bool> ReportCache(string workerId, CachedBlocksUpdate update);

    /// <summary>Takes a worker out of routing (its silo stops, or it changes role).</summary>
    Task Remove(string workerId);

    /// <summary>
    /// The worker's process is shutting down: it gets no new work from now on (even as the last of its role), while
    /// the requests it holds finish or are handed over; it stays listed as leaving until it is removed or stops reporting.
    /// </summary>
    Task Leave(string workerId);

    /// <summary>
    /// A request failed on this worker (a decode worker's stream broke, or a prefill worker's transfer finally failed):
    /// route new requests elsewhere while others of its role are up, until it has kept reporting for a while (a dead
    /// process stops reporting and is dropped; a live one comes back). Repeated failures open its circuit breaker:
    /// it is avoided for a cool-down, and a prefill worker gets no prompts at all meanwhile (decode workers prefill).
    /// </summary>
    Task Failed(string workerId);

    /// <summary>Picks the workers for a request by its length alone; throws <see cref="NoWorkersException"/> when none can serve it.</summary>
    Task<Assignment> Assign(int promptTokens);

    /// <summary>
    /// Picks the workers for a request whose tokens (prompt, and output before a resume) it knows: the
    /// <c>prefix-aware</c> policy weighs what each worker's prefix cache holds of them against its load.
    /// </summary>
    Task<Assignment> AssignPrompt(IReadOnlyList<int> tokens);

    /// <summary>
    /// Stops assigning new work to a worker that is about to take <paramref name="role"/>, until it reports that role
    /// (if it is the last of its kind, it still serves rather than leave requests without a worker). A drain not
    /// reported done within <paramref name="timeout"/> plus a second is given up, and the worker routed to as before;
    /// draining to the role it has cancels a drain at once (a failed switch).
    /// </summary>
    Task Drain(string workerId, WorkerRole role, TimeSpan timeout);

    /// <summary>Prompts of at most this many tokens go to a decode worker to prefill locally (0: every prompt goes to the prefill pool).</summary>
    Task SetShortPromptThreshold(int tokens);

    Task<int> ShortPromptThreshold();

    /// <summary>The live workers that take work (leaving ones are left out) with their last reported load.</summary>
    Task<WorkerStatus[]> Workers();
}
