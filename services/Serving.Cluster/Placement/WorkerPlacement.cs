namespace Serving.Cluster.Placement;

/// <summary>Places a worker grain on the silo named in its key, and nowhere else: the worker is its device.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class WorkerPlacement : PlacementStrategy
{
    public static WorkerPlacement Instance { get; } = new();
}
