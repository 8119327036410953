using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serving.Engine.Scheduling;
using Serving.Host.Simulating;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Host;

/// <summary>Simulates one cluster configuration at given rates (or a load test's own requests) and prints attainment and latencies per rate.</summary>
internal static partial class SimulateCommand
{
    public static Command Create()
    {
        var command = new Command(
            "simulate",
            "Simulate one configuration at the given rates, or request by request for each run of a load-test result.json, and print SLO " +
            "attainment and TTFT/TPOT percentiles per rate (beside the measured ones for a result). Local prefills on decode and mixed " +
            "workers run prefill-first, layered (--layer-groups) or chunked (--prefill-chunk-tokens), as `serving` runs them; " +
            "--prefix-hit-rate gives every request a cached prompt prefix.");
        var shared = new PlanningOptions(sloRequired: false);
        var config = new Option<string>("--config") { Description = "Workers as `serving plan` prints them: 1P+1D, 2M (colocated), 2P+1D, ...", Required = true };
        var groups = new Option<int>("--layer-groups") { Description = "G: local prefills run one of G layer groups per iteration (1 = prefill-first).", DefaultValueFactory = _ => 1 };
        var chunk = new Option<int>("--prefill-chunk-tokens") { Description = "C: local prefills run at most C prompt tokens per iteration beside the decodes (chunked prefill; 0 = off).", DefaultValueFactory = _ => 0 };
        var threshold = new Option<int>("--short-prompt-threshold") { Description = "Prompts up to this many tokens are prefilled on the decode worker (0 = never).", DefaultValueFactory = _ => 0 };
        var engineDefaults = new SchedulerOptions();
        var prefillTokens = new Option<int>("--prefill-tokens") { Description = "Token budget of one prefill batch (default: the engine's).", DefaultValueFactory = _ => engineDefaults.MaxNumBatchedTokens };
        var decodeBatch = new Option<int>("--decode-batch") { Description = "Most requests decoding together on a worker (default: the engine's).", DefaultValueFactory = _ => engineDefaults.MaxNumSeqs };
        var kvCache = new Option<double>("--kv-cache-mb") { Description = "KV cache per worker, MiB (as `serving --kv-cache-mb`).", DefaultValueFactory = _ => 512 };
        var rates = new Option<string?>("--rates") { Description = "Rates to simulate the synthetic workload at, comma-separated (req/s)." };
        var fromResult = new Option<string?>("--from-result") { Description = "A serving-loadtest result.json: simulate each run's own requests (arrivals and lengths) and compare; its SLO unless --ttft-ms/--tpot-ms are given." };
        var output = new Option<string?>("--out") { Description = "Also write the figures as JSON to this file." };

        shared.AddTo(command);
        foreach (var o in new Option[] { config, groups, chunk, threshold, prefillTokens, decodeBatch, kvCache, rates, fromResult, output })
            command.Options.Add(o);
        command.SetAction((parse, cancellation) =>
        {
            SimulateSettings settings;
            try
            {
                var result = parse.GetValue(fromResult);
                var rateText = parse.GetValue(rates);
                if ((result is null) == (rateText is null))
                    throw new ArgumentException("give either --rates r1,r2,... or --from-result result.json");
                if (result is not null && shared.WorkloadGiven(parse))
                    throw new ArgumentException("--from-result takes the workload from the result: leave out --input-*/--output-*/--sigma");
                var slo = shared.Slo(parse);
                if (slo is null && result is null)
                    throw new ArgumentException("give --ttft-ms and --tpot-ms");
                settings = new SimulateSettings(
                    parse.GetValue(shared.Profile)!, ParseShape(parse.GetValue(config)!), parse.GetValue(groups), parse.GetValue(chunk), parse.GetValue(threshold),
                    parse.GetValue(prefillTokens), parse.GetValue(decodeBatch), parse.GetValue(kvCache), slo, shared.Workload(parse),
                    parse.GetValue(shared.Target), parse.GetValue(shared.Requests), parse.GetValue(shared.Seed),
                    rateText is null ? null : ParseRates(rateText), result, parse.GetValue(output));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(2);
            }
            return RunAsync(settings, Console.Out, cancellation);
        });
        return command;
    }

    /// <summary>Simulates what <paramref name="settings"/> asks for, prints the table and writes the JSON report; returns the exit code.</summary>
    public static async Task<int> RunAsync(SimulateSettings settings, TextWriter console, CancellationToken cancellationToken)
    {
        if (await PlanningOptions.LoadProfileAsync(settings.ProfilePath, cancellationToken) is not { } profile)
            return 1;
        ResultReplay? result = null;
        if (settings.FromResult is { } path)
        {
            try
            {
                result = ResultReplay.Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                await Console.Error.WriteLineAsync($"error: cannot read load-test result {path} ({e.Message}).");
                return 1;
            }
        }
        var slo = settings.Slo ?? result?.Slo;
        if (slo is null)
        {
            await Console.Error.WriteLineAsync("error: the result has no TTFT and TPOT SLO: give --ttft-ms and --tpot-ms.");
            return 2;
        }

        ClusterConfig config;
        try
        {
            config = new ClusterConfig(
                settings.Shape.Prefill, settings.Shape.Decode, settings.Shape.Mixed, settings.LayerGroups, settings.ShortPromptThreshold,
                settings.MaxBatchedPrefillTokens, settings.MaxDecodeBatch, (long)(settings.KvCacheMb * (1 << 20) / profile.Transfer.BytesPerToken),
                settings.PrefillChunkTokens);
            config.Validate();
            if (config.LayerGroups > Math.Max(1, profile.Layers))
                throw new ArgumentException($"--layer-groups {config.LayerGroups} is more than the profile's {profile.Layers} layers.");
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        var c = CultureInfo.InvariantCulture;
        await console.WriteLineAsync($"profile: {profile.Model} on {profile.Device}, {profile.Layers} layers ({settings.ProfilePath})");
        await console.WriteLineAsync(string.Create(c,
            $"config: {config.Shape}, G {config.LayerGroups}{(config.PrefillChunkTokens > 0 ? $", chunks of {config.PrefillChunkTokens} tokens" : "")}, short ≤ {config.ShortPromptThreshold}, prefill tokens {config.MaxBatchedPrefillTokens}, " +
            $"decode batch {config.MaxDecodeBatch}, KV {config.KvCapacityTokens} tokens per worker"));
        var itl = double.IsFinite(slo.MaxItlSeconds) ? string.Create(c, $", max ITL ≤ {slo.MaxItlSeconds * 1000:0.#} ms") : "";
        var source = result is null
            ? string.Create(c, $"{settings.Requests} requests per rate, seed {settings.Seed}")
            : $"the {result.Runs.Count} runs of {settings.FromResult}";
        var hits = settings.PrefixHitRate > 0 ? string.Create(c, $"; prefix hit rate {settings.PrefixHitRate * 100:0.#}%") : "";
        await console.WriteLineAsync(string.Create(c, $"SLO: TTFT ≤ {slo.TtftSeconds * 1000:0.#} ms, TPOT ≤ {slo.TpotSeconds * 1000:0.#} ms{itl}; {source}{hits}"));

        // A result's requests carry no cached tokens: the hit rate gives them theirs, as the synthetic workload's.
        var runs = result?.Runs.Select(run => run with { Requests = WorkloadGenerator.WithPrefixHitRate(run.Requests, settings.PrefixHitRate) }).ToArray()
            ?? RatesOf(settings);
        var rows = runs.Select(run => new RateComparison(
            run.Rate,
            LatencySummary.Of(Simulator.Run(config, profile, run.Requests).Requests, slo),
            run.Measured is null ? null : LatencySummary.Of(run.Measured, slo))).ToArray();
        await console.WriteAsync(ComparisonFormatter.Format(rows));

        // The goodput search needs a workload shape: the options', or a synthetic result's (with the options' hit rate).
        var workload = result is null ? settings.Workload : result.Workload is { } shape ? shape with { PrefixHitRate = settings.PrefixHitRate } : null;
        CandidatePlan? goodput = null;
        if (workload is not null)
        {
            goodput = PlacementPlanner.Evaluate(config, profile, new PlanRequest(config.Workers, slo, workload, settings.Target, settings.Requests, settings.Seed));
            await console.WriteLineAsync(string.Create(c,
                $"simulated goodput: {goodput.Goodput:0.###} req/s ({goodput.GoodputPerWorker:0.###} per worker) at ≥ {settings.Target * 100:0.#}% attainment " +
                $"({goodput.Attainment * 100:0.0}% there; {settings.Requests} requests, seed {settings.Seed})"));
        }

        if (settings.OutPath is { } outPath)
        {
            var report = new SimulationReport(
                settings.ProfilePath, config.Shape, config.LayerGroups, config.PrefillChunkTokens, config.ShortPromptThreshold, config.MaxBatchedPrefillTokens, config.MaxDecodeBatch,
                config.KvCapacityTokens, slo.TtftSeconds * 1000, slo.TpotSeconds * 1000, double.IsFinite(slo.MaxItlSeconds) ? slo.MaxItlSeconds * 1000 : null,
                settings.FromResult, goodput?.Goodput, goodput?.Attainment, rows, settings.PrefixHitRate);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(report, JsonOptions), cancellationToken);
            await console.WriteLineAsync($"wrote {outPath}");
        }
        return 0;
    }

    /// <summary>Parses a shape such as <c>1P+1D</c>, <c>2M</c> or <c>2P+1D</c> (case-insensitive; each role at most once).</summary>
    public static (int Prefill, int Decode, int Mixed) ParseShape(string text)
    {
        int p = 0, d = 0, m = 0;
        var seen = new HashSet<char>();
        foreach (var part in text.Split('+', StringSplitOptions.TrimEntries))
        {
            var match = ShapePart().Match(part);
            if (!match.Success || !seen.Add(char.ToUpperInvariant(match.Groups[2].Value[0])))
                throw new ArgumentException($"--config '{text}': give workers per role as in 1P+1D or 2M (P prefill, D decode, M mixed).");
            var count = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            switch (char.ToUpperInvariant(match.Groups[2].Value[0]))
            {
                case 'P': p = count; break;
                case 'D': d = count; break;
                default: m = count; break;
            }
        }
        return (p, d, m);
    }

    private static IReadOnlyList<RateRun> RatesOf(SimulateSettings settings)
    {
        // One unit-rate pattern scaled to every rate, as the planner does, so rates differ only in pace.
        var unit = WorkloadGenerator.Generate(settings.Workload, settings.Requests, settings.Seed);
        return settings.Rates!.Select(r => new RateRun(r, WorkloadGenerator.AtRate(unit, r), null)).ToArray();
    }

    private static double[] ParseRates(string text)
    {
        var rates = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0
                ? r
                : throw new ArgumentException($"--rates: '{v}' is not a positive number"))
            .ToArray();
        return rates.Length > 0 ? rates : throw new ArgumentException("--rates: give at least one rate");
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    [GeneratedRegex(@"^(\d+)\s*([PDMpdm])$")]
    private static partial Regex ShapePart();
}
