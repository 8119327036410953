namespace Serving.Contracts;

/// <summary>A worker's load: queue length, batch size and free KV blocks.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerLoadReport(
    [property: Id(0)] int Waiting,
    [property: Id(1)] int Running,
    [property: Id(2)] int Importing,
    [property: Id(3)] int FreeBlocks,
    [property: Id(4)] int TotalBlocks)
{
    public int Queued => Waiting + Running + Importing;
}
