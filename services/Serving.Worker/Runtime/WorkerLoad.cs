namespace Serving.Worker.Runtime;

/// <summary>A worker's load as its loop last saw it: what routing policies compare.</summary>
public sealed record WorkerLoad(int Waiting, int Running, int Importing, int FreeBlocks, int TotalBlocks, long PrefillTokens = 0)
{
    public static WorkerLoad Empty { get; } = new(0, 0, 0, 0, 0);

    public double KvUsage => TotalBlocks == 0 ? 0 : 1.0 - (double)FreeBlocks / TotalBlocks;
}
