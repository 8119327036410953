namespace Serving.Cluster.Abstractions;

/// <summary>A worker as the router knows it: its grain key (silo and name), role, and where its process receives KV.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] WorkerRole Role,
    [property: Id(2)] string KvAddress);
