namespace Serving.Cluster.Abstractions;

/// <summary>The cluster's router: knows the live workers, their roles and load, and assigns each request its workers.</summary>
public interface IRouterGrain : IGrainWithIntegerKey
{
    /// <summary>A worker's periodic heartbeat: registers it if new, and records its load.</summary>
    Task Report(WorkerInfo worker, WorkerLoadReport load);

    /// <summary>Takes a worker out of routing (its silo stops, or it changes role).</summary>
    Task Remove(string workerId);

    /// <summary>Picks the workers for a request; throws <see cref="NoWorkersException"/> when none can serve it.</summary>
    Task<Assignment> Assign(int promptTokens);

    /// <summary>The live workers with their last reported load.</summary>
    Task<WorkerStatus[]> Workers();
}
