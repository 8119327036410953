namespace Serving.Contracts;

/// <summary>A live worker and its last reported load.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerStatus(
    [property: Id(0)] WorkerInfo Worker,
    [property: Id(1)] WorkerLoadReport Load);
