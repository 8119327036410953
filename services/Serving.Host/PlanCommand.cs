using System.CommandLine;
using System.Text.Json;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Host;

/// <summary>Ranks cluster configurations for a saved profile, SLOs and a workload by simulated goodput.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "Search P/D splits, layer groups and batch limits for N workers in simulation and print the best plans.");
        var profile = new Option<string>("--profile") { Description = "Profile JSON written by `serving profile`.", Required = true };
        var workers = new Option<int>("--workers") { Description = "Workers to place.", DefaultValueFactory = _ => 2 };
        var ttft = new Option<double>("--ttft-ms") { Description = "TTFT objective.", Required = true };
        var tpot = new Option<double>("--tpot-ms") { Description = "TPOT objective.", Required = true };
        var maxItl = new Option<double?>("--max-itl-ms") { Description = "Longest allowed gap between two tokens (default: unbounded)." };
        var target = new Option<double>("--target") { Description = "Share of requests that must meet the SLO.", DefaultValueFactory = _ => 0.9 };
        var inputLen = new Option<int>("--input-len") { Description = "Mean prompt length in tokens.", DefaultValueFactory = _ => 128 };
        var inputDist = Distribution("--input-dist");
        var inputMin = new Option<int?>("--input-min") { Description = "Shortest prompt (default: mean/2 uniform, 1 log-normal)." };
        var inputMax = new Option<int?>("--input-max") { Description = "Longest prompt (default: 3·mean/2 uniform, 4·mean log-normal)." };
        var outputLen = new Option<int>("--output-len") { Description = "Mean output length in tokens.", DefaultValueFactory = _ => 64 };
        var outputDist = Distribution("--output-dist");
        var outputMin = new Option<int?>("--output-min") { Description = "Shortest output." };
        var outputMax = new Option<int?>("--output-max") { Description = "Longest output." };
        var sigma = new Option<double>("--sigma") { Description = "Log-normal shape (standard deviation of the log length).", DefaultValueFactory = _ => 0.5 };
        var requests = new Option<int>("--num-requests") { Description = "Requests per simulation.", DefaultValueFactory = _ => 300 };
        var seed = new Option<int>("--seed") { Description = "Seed of the simulated workload.", DefaultValueFactory = _ => 1 };
        var top = new Option<int>("--top") { Description = "Candidates to print.", DefaultValueFactory = _ => 10 };

        foreach (var o in new Option[] { profile, workers, ttft, tpot, maxItl, target, inputLen, inputDist, inputMin, inputMax, outputLen, outputDist, outputMin, outputMax, sigma, requests, seed, top })
            command.Options.Add(o);
        command.SetAction((parse, cancellation) =>
        {
            var s = parse.GetValue(sigma);
            var workload = new WorkloadSpec(
                Lengths(parse.GetValue(inputDist)!, parse.GetValue(inputLen), parse.GetValue(inputMin), parse.GetValue(inputMax), s),
                Lengths(parse.GetValue(outputDist)!, parse.GetValue(outputLen), parse.GetValue(outputMin), parse.GetValue(outputMax), s));
            var slo = new Slo(parse.GetValue(ttft) / 1000, parse.GetValue(tpot) / 1000, (parse.GetValue(maxItl) ?? double.PositiveInfinity) / 1000);
            var request = new PlanRequest(parse.GetValue(workers), slo, workload, parse.GetValue(target), parse.GetValue(requests), parse.GetValue(seed));
            return RunAsync(parse.GetValue(profile)!, request, parse.GetValue(top), Console.Out, cancellation);
        });
        return command;
    }

    /// <summary>Loads the profile, plans <paramref name="request"/> and prints the top <paramref name="top"/> rows; returns the exit code.</summary>
    public static async Task<int> RunAsync(string profilePath, PlanRequest request, int top, TextWriter console, CancellationToken cancellationToken)
    {
        WorkerProfile profile;
        try
        {
            profile = await ProfileJson.LoadAsync(profilePath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            await Console.Error.WriteLineAsync($"error: cannot read profile {profilePath} ({e.Message}); write one with `serving profile`.");
            return 1;
        }
        await console.WriteLineAsync($"profile: {profile.Model} on {profile.Device}, {profile.Layers} layers ({profilePath})");
        var plan = PlacementPlanner.Plan(request, profile);
        await console.WriteAsync(PlanFormatter.Format(plan, top));
        return 0;
    }

    /// <summary>The load tester's length distributions: fixed, uniform on [mean/2, 3·mean/2], or log-normal with that mean on [1, 4·mean].</summary>
    public static LengthDistribution Lengths(string kind, int mean, int? min, int? max, double sigma) => kind switch
    {
        "fixed" => new FixedLength(mean),
        "uniform" => new UniformLength(min ?? Math.Max(1, mean / 2), max ?? mean * 3 / 2),
        // The median of a log-normal is its mean divided by exp(σ²/2).
        "lognormal" => new LogNormalLength(mean / Math.Exp(sigma * sigma / 2), sigma, min ?? 1, max ?? mean * 4),
        _ => throw new ArgumentException($"Unknown length distribution '{kind}'.", nameof(kind)),
    };

    private static Option<string> Distribution(string name)
    {
        var option = new Option<string>(name) { Description = "fixed, uniform or lognormal.", DefaultValueFactory = _ => "fixed" };
        option.AcceptOnlyFromAmong("fixed", "uniform", "lognormal");
        return option;
    }
}
