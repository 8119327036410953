using Orleans.Runtime.Placement;
using Serving.Contracts;

namespace Serving.Cluster.Placement;

/// <summary>Puts a worker grain on its own silo; if that silo is gone, the worker is gone and the call fails.</summary>
internal sealed class WorkerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        var silo = WorkerKey.Silo(key);
        if (context.GetCompatibleSilos(target).Contains(silo))
            return Task.FromResult(silo);
        throw new SiloUnavailableException($"worker {key} is unavailable: its silo {silo} is not in the cluster.");
    }
}
