using System.CommandLine;
using Serving.GatewayBench.Server;
using Serving.Tools.Shared;

namespace Serving.GatewayBench;

/// <summary>The command line: repetitions, levels, the fake's interval, tokens per stream and where the results go; and the server child's own.</summary>
internal static class GatewayBenchCommand
{
    public static RootCommand Create(Func<GatewayBenchOptions, Task<int>> run)
    {
        var defaults = new GatewayBenchOptions();
        var reps = new Option<int>("--reps") { Description = "Interleaved repetitions of every level, medians reported.", DefaultValueFactory = _ => defaults.Reps }
            .Check(n => n > 0, "takes a positive integer");
        var levels = new Option<int[]>("--levels")
        {
            Description = $"Concurrent streams per level, comma-separated (default {string.Join(',', defaults.Levels)}).",
            HelpName = "N,N,...",
            CustomParser = result => ToolCommandLine.IntList(result, n => n > 0, "takes positive stream counts, comma-separated"),
        };
        var interval = new Option<double>("--interval-ms") { Description = "The fake engine's step time, ms.", DefaultValueFactory = _ => defaults.IntervalMs }
            .Check(ms => ms is > 0 and <= 10_000, "takes milliseconds in (0, 10000]");
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens per stream.", DefaultValueFactory = _ => defaults.MaxTokens }
            .Check(n => n >= 2, "takes an integer of at least 2");
        var output = new Option<string>("--out") { Description = "JSON results file (the server's log goes beside it).", HelpName = "FILE.json", DefaultValueFactory = _ => defaults.Out }
            .Check(path => !string.IsNullOrWhiteSpace(path), "takes a file name");

        var root = new RootCommand("What the gateway path adds per streamed token, with the model replaced by a fixed-interval fake engine behind the real engine loop.");
        foreach (var option in new Option[] { reps, levels, interval, maxTokens, output })
            root.Options.Add(option);
        root.Subcommands.Add(Server());
        root.SetAction((parse, _) => run(defaults with
        {
            Reps = parse.GetValue(reps),
            // A list left out reads as empty (one given is never): the defaults.
            Levels = parse.GetValue(levels) is { Length: > 0 } given ? given : defaults.Levels,
            IntervalMs = parse.GetValue(interval),
            MaxTokens = parse.GetValue(maxTokens),
            Out = parse.GetValue(output)!,
        }));
        return root;
    }

    /// <summary>The child the parent starts (<see cref="Client.ServerProcess"/>): the gateway and one mixed worker on the fake engine.</summary>
    static Command Server()
    {
        var interval = new Option<double>("--interval-ms") { Description = "The fake engine's step time, ms.", Required = true };
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "The gateway's --max-concurrent-requests.", Required = true };
        var command = new Command("server", "The server side, started by the benchmark itself.") { Hidden = true };
        command.Options.Add(interval);
        command.Options.Add(maxConcurrent);
        command.SetAction((parse, _) => ServerHost.RunAsync(parse.GetValue(interval), parse.GetValue(maxConcurrent)));
        return command;
    }
}
