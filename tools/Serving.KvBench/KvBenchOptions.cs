namespace Serving.KvBench;

/// <summary>Command-line settings of one run (the parent's; the receiver child gets what it needs on its own command line).</summary>
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

    public static readonly string[] AllParts = ["push", "push4", "pull", "bare", "handoff"];

    public bool Runs(string part) => Only.Contains(part);

    public const string Usage = """
        usage: Serving.KvBench [--reps N] [--warmup N] [--mb N] [--chunks KiB,KiB,...] [--threads N] [--only PART,...] [--out FILE.json]
          --reps     interleaved repetitions, medians reported (default 5)
          --warmup   unrecorded repetitions first (default 3)
          --mb       MiB of KV per throughput repetition (default 256)
          --chunks   gRPC chunk sizes in KiB (default 64,256,1024)
          --threads  libtorch threads in each of the two processes (default 1)
          --only     a subset of push,push4,pull,bare,handoff (default all)
          --out      JSON results file (default artifacts/bench/kv-transfer.json)
        """;

    /// <summary>Parses the command line; null with a message on bad input.</summary>
    public static KvBenchOptions? Parse(string[] args, out string? error)
    {
        var options = new KvBenchOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--reps" when int.TryParse(value, out var r) && r > 0:
                    options = options with { Reps = r };
                    break;
                case "--warmup" when int.TryParse(value, out var w) && w > 0:
                    options = options with { Warmup = w };
                    break;
                case "--mb" when int.TryParse(value, out var m) && m > 0:
                    options = options with { Mb = m };
                    break;
                case "--threads" when int.TryParse(value, out var t) && t > 0:
                    options = options with { Threads = t };
                    break;
                case "--chunks" when ParseKib(value) is { } chunks:
                    options = options with { ChunkBytes = chunks };
                    break;
                case "--only" when value?.Split(',', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts && parts.All(AllParts.Contains):
                    options = options with { Only = parts };
                    break;
                case "--out" when !string.IsNullOrWhiteSpace(value):
                    options = options with { Out = value };
                    break;
                default:
                    error = $"bad argument '{args[i]}'";
                    return null;
            }
            i++;
        }
        return options;
    }

    static int[]? ParseKib(string? value)
    {
        if (value is null)
            return null;
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var sizes = parts.Select(p => int.TryParse(p, out var k) && k is > 0 and <= 16 << 10 ? k << 10 : -1).ToArray();
        return sizes.Length > 0 && sizes.All(s => s > 0) ? sizes : null;
    }
}
