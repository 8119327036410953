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
        var plotPath = new Option<string?>("--plot") { Description = "Also draw simulated attainment vs rate of the best candidates into this PNG." };
        var plotTop = new Option<int>("--plot-top") { Description = "Candidates to draw.", DefaultValueFactory = _ => 4 };

        shared.AddTo(command);
        command.Options.Add(workers);
        command.Options.Add(top);
        command.Options.Add(plotPath);
        command.Options.Add(plotTop);
        command.SetAction((parse, cancellation) =>
        {
            var request = new PlanRequest(
                parse.GetValue(workers), shared.Slo(parse)!, shared.Workload(parse),
                parse.GetValue(shared.Target), parse.GetValue(shared.Requests), parse.GetValue(shared.Seed));
            return RunAsync(parse.GetValue(shared.Profile)!, request, parse.GetValue(top), Console.Out, cancellation, parse.GetValue(plotPath), parse.GetValue(plotTop));
        });
        return command;
    }

    /// <summary>
    /// Loads the profile, plans <paramref name="request"/> and prints the top <paramref name="top"/> rows (and, with
    /// <paramref name="plot"/>, draws the best <paramref name="plotTop"/>); returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(string profilePath, PlanRequest request, int top, TextWriter console, CancellationToken cancellationToken, string? plot = null, int plotTop = 4)
    {
        if (await PlanningOptions.LoadProfileAsync(profilePath, cancellationToken) is not { } profile)
            return 1;
        await console.WriteLineAsync($"profile: {profile.Model} on {profile.Device}, {profile.Layers} layers ({profilePath})");
        var plan = PlacementPlanner.Plan(request, profile);
        await console.WriteAsync(PlanFormatter.Format(plan, top));
        if (plot is not null)
        {
            PlanPlot.Write(plot, plan, profile, plotTop);
            await console.WriteLineAsync($"plot: {plot}");
        }
        return 0;
    }
}
