using System.CommandLine;
using System.Text.Json;
using Serving.Planning.Model;
using Serving.Planning.Simulation;

namespace Serving.Host;

/// <summary>The options `serving plan` and `serving simulate` share: the profile, the SLOs and the workload's shape.</summary>
internal sealed class PlanningOptions
{
    public PlanningOptions(bool sloRequired)
    {
        TtftMs = new Option<double?>("--ttft-ms") { Description = "TTFT objective.", Required = sloRequired };
        TpotMs = new Option<double?>("--tpot-ms") { Description = "TPOT objective.", Required = sloRequired };
        InputDist = Distribution("--input-dist");
        OutputDist = Distribution("--output-dist");
        PrefixHitRate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is var rate && !(rate >= 0 && rate <= 1))
                result.AddError("--prefix-hit-rate is a share of prompt tokens: give a value from 0 to 1.");
        });
    }

    public Option<string> Profile { get; } = new("--profile") { Description = "Profile JSON written by `serving profile`.", Required = true };
    public Option<double?> TtftMs { get; }
    public Option<double?> TpotMs { get; }
    public Option<double?> MaxItlMs { get; } = new("--max-itl-ms") { Description = "Longest allowed gap between two tokens (default: unbounded)." };
    public Option<double> Target { get; } = new("--target") { Description = "Share of requests that must meet the SLO.", DefaultValueFactory = _ => 0.9 };
    public Option<int> InputLen { get; } = new("--input-len") { Description = "Mean prompt length in tokens.", DefaultValueFactory = _ => 128 };
    public Option<string> InputDist { get; }
    public Option<int?> InputMin { get; } = new("--input-min") { Description = "Shortest prompt (default: mean/2 uniform, 1 log-normal)." };
    public Option<int?> InputMax { get; } = new("--input-max") { Description = "Longest prompt (default: 3·mean/2 uniform, 4·mean log-normal)." };
    public Option<int> OutputLen { get; } = new("--output-len") { Description = "Mean output length in tokens.", DefaultValueFactory = _ => 64 };
    public Option<string> OutputDist { get; }
    public Option<int?> OutputMin { get; } = new("--output-min") { Description = "Shortest output." };
    public Option<int?> OutputMax { get; } = new("--output-max") { Description = "Longest output." };
    public Option<double> Sigma { get; } = new("--sigma") { Description = "Log-normal shape (standard deviation of the log length).", DefaultValueFactory = _ => 0.5 };
    public Option<int> Requests { get; } = new("--num-requests") { Description = "Requests per simulation.", DefaultValueFactory = _ => 300 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the simulated workload.", DefaultValueFactory = _ => 1 };
    public Option<double> PrefixHitRate { get; } = new("--prefix-hit-rate")
    {
        Description = "Share of prompt tokens served from prefix caches, 0..1: each simulated request has floor(R × prompt) tokens cached, " +
            "which are neither computed nor transferred and do not count against the short-prompt threshold.",
        DefaultValueFactory = _ => 0,
    };

    /// <summary>The options that shape the synthetic workload.</summary>
    public IReadOnlyList<Option> WorkloadOptions => [InputLen, InputDist, InputMin, InputMax, OutputLen, OutputDist, OutputMin, OutputMax, Sigma];

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Profile, TtftMs, TpotMs, MaxItlMs, Target }.Concat(WorkloadOptions).Concat([Requests, Seed, PrefixHitRate]))
            command.Options.Add(o);
    }

    /// <summary>The SLO on the command line; null unless both TTFT and TPOT are given.</summary>
    public Slo? Slo(ParseResult p) =>
        p.GetValue(TtftMs) is { } ttft && p.GetValue(TpotMs) is { } tpot
            ? new Slo(ttft / 1000, tpot / 1000, (p.GetValue(MaxItlMs) ?? double.PositiveInfinity) / 1000)
            : null;

    /// <summary>The synthetic workload: its lengths and the prefix hit rate.</summary>
    public WorkloadSpec Workload(ParseResult p)
    {
        var s = p.GetValue(Sigma);
        return new WorkloadSpec(
            Lengths(p.GetValue(InputDist)!, p.GetValue(InputLen), p.GetValue(InputMin), p.GetValue(InputMax), s),
            Lengths(p.GetValue(OutputDist)!, p.GetValue(OutputLen), p.GetValue(OutputMin), p.GetValue(OutputMax), s),
            p.GetValue(PrefixHitRate));
    }

    /// <summary>Whether any workload length option was given on the command line (not just defaulted); the hit rate applies to a result's requests too.</summary>
    public bool WorkloadGiven(ParseResult p) => WorkloadOptions.Any(o => p.GetResult(o) is { Implicit: false });

    /// <summary>The load tester's length distributions: fixed, uniform on [mean/2, 3·mean/2], or log-normal with that mean on [1, 4·mean].</summary>
    public static LengthDistribution Lengths(string kind, int mean, int? min, int? max, double sigma) => kind switch
    {
        "fixed" => new FixedLength(mean),
        "uniform" => new UniformLength(min ?? Math.Max(1, mean / 2), max ?? mean * 3 / 2),
        // The median of a log-normal is its mean divided by exp(σ²/2).
        "lognormal" => new LogNormalLength(mean / Math.Exp(sigma * sigma / 2), sigma, min ?? 1, max ?? mean * 4),
        _ => throw new ArgumentException($"Unknown length distribution '{kind}'.", nameof(kind)),
    };

    /// <summary>Loads the profile, or writes why it cannot and returns null.</summary>
    public static async Task<WorkerProfile?> LoadProfileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await ProfileJson.LoadAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            await Console.Error.WriteLineAsync($"error: cannot read profile {path} ({e.Message}); write one with `serving profile`.");
            return null;
        }
    }

    private static Option<string> Distribution(string name)
    {
        var option = new Option<string>(name) { Description = "fixed, uniform or lognormal.", DefaultValueFactory = _ => "fixed" };
        option.AcceptOnlyFromAmong("fixed", "uniform", "lognormal");
        return option;
    }
}
