using System.CommandLine;
using Serving.LoadTest.Embedded;
using Serving.LoadTest.Output;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Search;
using Serving.Planning.LoadTests;
using Spectre.Console;

namespace Serving.LoadTest.Cli;

/// <summary>The commands: run (one load), sweep (one Poisson run per rate), search (the goodput search), plot, soak (load with faults, then a verdict).</summary>
internal static class LoadTestCommands
{
    public static RootCommand Create(string[] args)
    {
        var root = new RootCommand("Load-test an OpenAI-compatible server (Serving, vLLM, SGLang, ...): TTFT, TPOT, ITL, E2EL, throughput, SLO attainment and goodput, defined as `vllm bench serve` defines them.");
        root.Subcommands.Add(Run(args));
        root.Subcommands.Add(Sweep(args));
        root.Subcommands.Add(SearchCommand(args));
        root.Subcommands.Add(Plot());
        root.Subcommands.Add(SoakCommand.Create(args));
        return root;
    }

    static Command Plot()
    {
        var command = new Command("plot", "Draw the plots and the markdown summary again from a result.json.");
        var file = new Argument<string>("result") { Description = "A result.json written by run, sweep or search." };
        var outDir = new Option<string?>("--out") { Description = "Folder for the plots and summary.md (default: the result's folder)." };
        command.Arguments.Add(file);
        command.Options.Add(outDir);
        command.SetAction(p =>
        {
            var path = p.GetValue(file)!;
            try
            {
                var json = File.ReadAllText(path);
                ResultFolder.Redraw(p.GetValue(outDir) ?? Path.GetDirectoryName(Path.GetFullPath(path))!, LoadTestResult.Parse(json), ResultJson.ReadExtras(json));
                return 0;
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    static Command Run(string[] args)
    {
        var command = new Command("run", "One run: Poisson arrivals at --rate, all at once, a fixed concurrency, or a trace's own times.");
        var common = new CommonOptions();
        common.AddTo(command);
        var arrival = new Option<ArrivalMode?>("--arrival") { Description = "poisson (--rate), all, concurrency (--max-concurrency) or trace (default: poisson, trace for a trace workload)." };
        var rate = new Option<double?>("--rate") { Description = "Requests per second for Poisson arrivals (default: all at once)." };
        command.Options.Add(arrival);
        command.Options.Add(rate);
        command.SetAction((p, ct) => ExecuteAsync(common, p, args, LoadTestMode.Run, s =>
        {
            var mode = p.GetValue(arrival) ?? (p.GetValue(rate) is null && s.Arrival == ArrivalMode.Poisson ? ArrivalMode.All : s.Arrival);
            if (mode == ArrivalMode.Concurrency && s.MaxConcurrency is null)
                throw new ArgumentException("--arrival concurrency needs --max-concurrency N");
            if (mode == ArrivalMode.Trace && s.Workload.Kind != WorkloadKind.Trace)
                throw new ArgumentException("--arrival trace needs --workload trace");
            return s with { Arrival = mode, Rate = p.GetValue(rate) is { } r ? CommonOptions.Positive(r, "--rate") : double.PositiveInfinity };
        }, ct));
        return command;
    }

    static Command Sweep(string[] args)
    {
        var command = new Command("sweep", "One Poisson run per rate, with attainment vs rate.");
        var common = new CommonOptions();
        common.AddTo(command);
        var rates = new Option<string>("--rates") { Description = "Request rates, comma-separated (req/s).", Required = true };
        command.Options.Add(rates);
        command.SetAction((p, ct) => ExecuteAsync(common, p, args, LoadTestMode.Sweep,
            s => OpenLoop(s, "sweep") with { SweepRates = CommonOptions.ParseList(p.GetValue(rates)!, "--rates").Select(r => CommonOptions.Positive(r, "--rates")).ToArray() }, ct));
        return command;
    }

    static Command SearchCommand(string[] args)
    {
        var command = new Command("search", "Goodput search: the highest Poisson rate the server sustains with SLO attainment at the target (needs --goodput). A probe passes when attainment meets the target, the server achieved ≥ 95% of the offered rate, and its queue did not grow (TTFT of the last third vs the first).");
        var common = new CommonOptions();
        common.AddTo(command);
        var target = new Option<double>("--target") { Description = "Attainment to meet, 0..1.", DefaultValueFactory = _ => 0.9 };
        var workers = new Option<int>("--workers") { Description = "Workers of the system under test: goodput is also given per worker.", DefaultValueFactory = _ => 1 };
        var start = new Option<double>("--start-rate") { Description = "First rate tried (req/s).", DefaultValueFactory = _ => 1 };
        var min = new Option<double>("--min-rate") { Description = "Lowest rate tried.", DefaultValueFactory = _ => 0.05 };
        var max = new Option<double>("--max-rate") { Description = "Highest rate tried.", DefaultValueFactory = _ => 1000 };
        var tolerance = new Option<double>("--tolerance") { Description = "Stop when (fail − pass) / fail is below this.", DefaultValueFactory = _ => 0.1 };
        var probes = new Option<int>("--max-probes") { Description = "At most this many runs.", DefaultValueFactory = _ => 8 };
        var probeSeconds = new Option<double?>("--probe-seconds") { Description = "Seconds of arrivals per probe (default: 10 median request latencies of the warm-up, within 20–120 s), so a queue has time to show." };
        var minProbeRequests = new Option<int>("--min-probe-requests") { Description = "Fewest requests per probe (the workload's requests are cycled with new prompt text to fill a probe).", DefaultValueFactory = _ => 40 };
        foreach (var o in new Option[] { target, workers, start, min, max, tolerance, probes, probeSeconds, minProbeRequests })
            command.Options.Add(o);
        command.SetAction((p, ct) => ExecuteAsync(common, p, args, LoadTestMode.Search, s =>
        {
            if (!s.Slo.Any)
                throw new ArgumentException("search needs SLOs: --goodput ttft:MS tpot:MS e2el:MS");
            OpenLoop(s, "search");
            var t = p.GetValue(target);
            return s with
            {
                Warmups = common.WarmupsGiven(p) ? s.Warmups : 4,
                Search = new SearchSettings
                {
                    Target = t is > 0 and <= 1 ? t : throw new ArgumentException("--target is a share in (0, 1]"),
                    Workers = (int)CommonOptions.Positive(p.GetValue(workers), "--workers"),
                    StartRate = CommonOptions.Positive(p.GetValue(start), "--start-rate"),
                    MinRate = CommonOptions.Positive(p.GetValue(min), "--min-rate"),
                    MaxRate = CommonOptions.Positive(p.GetValue(max), "--max-rate"),
                    Tolerance = CommonOptions.Positive(p.GetValue(tolerance), "--tolerance"),
                    MaxProbes = (int)CommonOptions.Positive(p.GetValue(probes), "--max-probes"),
                    ProbeSeconds = p.GetValue(probeSeconds) is { } seconds ? CommonOptions.Positive(seconds, "--probe-seconds") : null,
                    MinProbeRequests = (int)CommonOptions.Positive(p.GetValue(minProbeRequests), "--min-probe-requests"),
                },
            };
        }, ct));
        return command;
    }

    /// <summary>Refuses the multi-turn workload, whose conversations are closed-loop, for a command that offers rates.</summary>
    static LoadTestSettings OpenLoop(LoadTestSettings s, string command) => s.MultiTurn is null ? s
        : throw new ArgumentException($"{command} offers request rates; the multi-turn workload is closed-loop: use run (--rate sets when conversations start)");

    static async Task<int> ExecuteAsync(CommonOptions common, ParseResult p, string[] args, LoadTestMode mode, Func<LoadTestSettings, LoadTestSettings> refine, CancellationToken cancellationToken)
    {
        LoadTestSettings settings;
        try
        {
            settings = refine(common.Bind(p, args));
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        EmbeddedServing? embedded = null;
        try
        {
            if (common.Embedded(p) is { } request)
            {
                AnsiConsole.MarkupLine("[grey]starting the embedded serving...[/]");
                embedded = await EmbeddedServing.StartAsync(request.ServingDll, request.ExtraArgs, TimeSpan.FromMinutes(3), cancellationToken);
                settings = settings with { Target = settings.Target with { BaseUrl = embedded.BaseUrl } };
                AnsiConsole.MarkupLine($"[grey]serving ready at {embedded.BaseUrl}[/]");
            }
            var result = (await new LoadTestSession(settings).ExecuteAsync(mode, cancellationToken)).Result;
            if (result.Search is { } s)
            {
                ConsoleReport.Print(s);
                AnsiConsole.MarkupLine($"[bold]goodput {s.Goodput:0.###} req/s[/] ({s.GoodputPerWorker:0.###} per worker over {s.Workers}): the highest rate sustained at ≥ {100 * s.Target:0}% attainment"
                    + (s.Goodput > 0 ? $" (offered {s.Offered:0.###}, achieved {s.Probes.First(x => x.Passed && x.Rate == s.Offered).Achieved:0.###} req/s)" : "")
                    + (s.Converged ? "" : " [yellow](not converged)[/]"));
            }
            AnsiConsole.MarkupLine($"results in [bold]{Markup.Escape(Path.GetFullPath(settings.OutDir))}[/]");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or FileNotFoundException or FormatException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        finally
        {
            if (embedded is not null)
                await embedded.DisposeAsync();
        }
    }
}
