namespace Serving.Bench;

/// <summary>Command-line settings of one benchmark run.</summary>
internal sealed record BenchOptions
{
    public int Threads { get; init; } = 2;
    public int Reps { get; init; } = 5;
    public string Out { get; init; } = Path.Combine("artifacts", "bench", "engine-vs-llamacpp.json");
    public int[] PrefillLengths { get; init; } = [128, 512, 2048];
    public int[] DecodeBatches { get; init; } = [1, 8, 32];
    public int DecodeContext { get; init; } = 512;
    public int StepsPerRep { get; init; } = 8;
    public string Suite { get; init; } = "llama-cpp";

    public const string Usage = """
        usage: Serving.Bench [--suite llama-cpp|decode-groups] [--threads N] [--reps N] [--out FILE.json]
          --suite    llama-cpp: our engine against llama.cpp (default); decode-groups: decode attention over
                     mixed context lengths, rows grouped by length vs padded to the longest
          --threads  intra-op threads for both engines (default 2)
          --reps     repetitions per measurement, medians reported (default 5)
          --out      JSON results file (default artifacts/bench/engine-vs-llamacpp.json, or decode-groups.json)
        """;

    /// <summary>Parses the command line; null with a message on bad input.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchOptions();
        var outGiven = false;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--threads" when int.TryParse(value, out var t) && t > 0:
                    options = options with { Threads = t };
                    i++;
                    break;
                case "--reps" when int.TryParse(value, out var r) && r > 0:
                    options = options with { Reps = r };
                    i++;
                    break;
                case "--suite" when value is "llama-cpp" or "decode-groups":
                    options = options with { Suite = value };
                    if (value == "decode-groups" && !outGiven)
                        options = options with { Out = Path.Combine("artifacts", "bench", "decode-groups.json") };
                    i++;
                    break;
                case "--out" when !string.IsNullOrWhiteSpace(value):
                    outGiven = true;
                    options = options with { Out = value };
                    i++;
                    break;
                default:
                    error = $"bad argument '{args[i]}'";
                    return null;
            }
        }
        return options;
    }
}
