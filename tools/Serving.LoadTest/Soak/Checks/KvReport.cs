namespace Serving.LoadTest.Soak.Checks;

/// <summary>The KV pools after the load: each worker's, and how long after the load they were all free (null: never within the settle time).</summary>
internal sealed record KvReport(bool Exported, IReadOnlyList<KvWorker> Workers, double? FreeAfterS, string? Note)
{
    public int LeakedBlocks => Workers.Sum(w => w.LeakedBlocks);
}
