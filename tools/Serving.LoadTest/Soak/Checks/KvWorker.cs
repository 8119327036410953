namespace Serving.LoadTest.Soak.Checks;

/// <summary>One worker's KV pool as the gateway exports it: free blocks and usage from /metrics, the pool's size from /health.</summary>
internal sealed record KvWorker(string Worker, string Role, int FreeBlocks, int TotalBlocks, double Usage)
{
    public int LeakedBlocks => Math.Max(0, TotalBlocks - FreeBlocks);
    public bool AllFree => FreeBlocks == TotalBlocks && Usage == 0;
}
