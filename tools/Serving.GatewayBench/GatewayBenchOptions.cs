using System.Globalization;

namespace Serving.GatewayBench;

/// <summary>Command-line settings of one run (the parent's; the server child gets what it needs on its own command line).</summary>
internal sealed record GatewayBenchOptions
{
    public int Reps { get; init; } = 3;
    /// <summary>Concurrent streams per level.</summary>
    public int[] Levels { get; init; } = [1, 64, 256, 1000, 2000];
    /// <summary>The fake engine's step time.</summary>
    public double IntervalMs { get; init; } = 20;
    /// <summary>Tokens per stream: long enough that every stream of the largest level is open at once.</summary>
    public int MaxTokens { get; init; } = 128;
    public string Out { get; init; } = Path.Combine("artifacts", "bench", "gateway.json");

    public const string Usage = """
        usage: Serving.GatewayBench [--reps N] [--levels N,N,...] [--interval-ms MS] [--max-tokens N] [--out FILE.json]
          --reps         interleaved repetitions of every level, medians reported (default 3)
          --levels       concurrent streams per level (default 1,64,256,1000,2000)
          --interval-ms  the fake engine's step time (default 20)
          --max-tokens   tokens per stream (default 128)
          --out          JSON results file (default artifacts/bench/gateway.json)
        """;

    /// <summary>Parses the command line; null with a message on bad input.</summary>
    public static GatewayBenchOptions? Parse(string[] args, out string? error)
    {
        var options = new GatewayBenchOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--reps" when int.TryParse(value, out var r) && r > 0:
                    options = options with { Reps = r };
                    break;
                case "--levels" when ParseLevels(value) is { } levels:
                    options = options with { Levels = levels };
                    break;
                case "--interval-ms" when double.TryParse(value, CultureInfo.InvariantCulture, out var ms) && ms is > 0 and <= 10_000:
                    options = options with { IntervalMs = ms };
                    break;
                case "--max-tokens" when int.TryParse(value, out var t) && t >= 2:
                    options = options with { MaxTokens = t };
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

    static int[]? ParseLevels(string? value)
    {
        var levels = value?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.TryParse(p, out var n) && n > 0 ? n : -1).ToArray();
        return levels is { Length: > 0 } && levels.All(n => n > 0) ? levels : null;
    }
}
