using System.CommandLine;
using Serving.Planning.Planner;

namespace Serving.Host;

/// <summary>Ranks cluster configurations for a saved profile, SLOs and a workload by simulated goodput.</summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var command = new Command("plan", "Search P/D splits, layer groups and batch limits for N workers in simulation and print the best plans.");
        var shared = new PlanningOptions(sloRequired: true);
        var workers = new Option<int>("--workers") { Description = "Workers to place.", DefaultValueFactory = _ => 2 };
        var top = new Option<int>("--top") { Description = "Candidates to print.", DefaultValueFactory = _ => 10 };

        shared.AddTo(command);
        command.Options.Add(workers);
        command.Options.Add(top);
        command.SetAction((parse, cancellation) =>
        {
            var request = new PlanRequest(
                parse.GetValue(workers), shared.Slo(parse)!, shared.Workload(parse),
                parse.GetValue(shared.Target), parse.GetValue(shared.Requests), parse.GetValue(shared.Seed));
            return RunAsync(parse.GetValue(shared.Profile)!, request, parse.GetValue(top), Console.Out, cancellation);
        });
        return command;
    }

    /// <summary>Loads the profile, plans <paramref name="request"/> and prints the top <paramref name="top"/> rows; returns the exit code.</summary>
    public static async Task<int> RunAsync(string profilePath, PlanRequest request, int top, TextWriter console, CancellationToken cancellationToken)
    {
        if (await PlanningOptions.LoadProfileAsync(profilePath, cancellationToken) is not { } profile)
            return 1;
        await console.WriteLineAsync($"profile: {profile.Model} on {profile.Device}, {profile.Layers} layers ({profilePath})");
        var plan = PlacementPlanner.Plan(request, profile);
        await console.WriteAsync(PlanFormatter.Format(plan, top));
        return 0;
    }
}
