namespace Serving.KvBench;

/// <summary>Settings of one run, from the command line (<see cref="KvBenchCommand"/>); the receiver child gets what it needs on its own.</summary>
internal sealed record KvBenchOptions
{
    public int Reps { get; init; } = 5;
    /// <summary>Unrecorded repetitions first: until tiered JIT settles, it takes CPU from the transfers.</summary>
    public int Warmup { get; init; } = 3;
    /// <summary>KV megabytes (MiB) moved per throughput repetition.</summary>
    public int Mb { get; init; } = 256;
    public int[] ChunkBytes { get; init; } = [64 << 10, 256 << 10, 1 << 20];
    public int[] PromptLengths { get; init; } = [512, 2048];
    /// <summary>libtorch intra-op threads per process: two processes share the machine.</summary>
    public int Threads { get; init; } = 1;
    public string Out { get; init; } = Path.Combine("artifacts", "bench", "kv-transfer.json");
    /// <summary>Which measurements run: push, push4 (4 concurrent streams), pull, bare, handoff.</summary>
    public string[] Only { get; init; } = AllParts;

    public static readonly string[] AllParts = ["push", "push4", "pull", "bare", "handoff", "tls"];

    public bool Runs(string part) => Only.Contains(part);
}
