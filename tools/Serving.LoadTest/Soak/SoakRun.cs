using System.Text.Json;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Soak.Checks;
using Serving.LoadTest.Soak.Client;
using Serving.LoadTest.Soak.Faults;
using Serving.LoadTest.Soak.Output;
using Serving.LoadTest.Soak.Requests;
using Serving.LoadTest.Soak.Target;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Soak;

/// <summary>
/// One soak from start to verdict: open (or start) the server, run the mixed load with its faults for the duration
/// while sampling memory, let it settle, then check the KV pools, the answers, the memory and the logs, print the
/// verdict and write result.json, summary.md and requests.csv.
/// </summary>
internal sealed class SoakRun(SoakSettings settings)
{
    public async Task<SoakResult> ExecuteAsync(CancellationToken abort)
    {
        var started = DateTime.UtcNow;
        var clock = SoakClock.StartNow();
        var log = new LogBook(clock);
        using var http = LoadTestSession.CreateHttp(settings.Target.ApiKey);
        Say($"starting: {settings.Target.Topology.ToString().ToLowerInvariant()} target...");
        await using var target = await OpenAsync(http, log, clock, abort);
        var model = settings.Target.Model ?? await LoadTestSession.FirstModelAsync(http, target.BaseUrl, abort);
        Say($"soak of {target.Description}, model {model}: {settings.Duration.TotalMinutes:0.##} min, {settings.Concurrency} clients");

        var tally = new SoakTally(settings.Mix);
        var rss = new RssTracker(target, clock, settings.RssInterval);
        var factory = new SoakRequestFactory(model, settings.Mix, settings.Seed);
        var client = new SoakClient(http, target.BaseUrl, settings.RequestDeadline, clock);
        var faults = new FaultInjector(settings.Faults, target, clock, settings.Seed);

        var loadStartS = clock.Seconds;
        using var loadEnded = new CancellationTokenSource(settings.Duration);
        using var stopSampling = new CancellationTokenSource();
        var sampling = rss.RunAsync(stopSampling.Token);
        var injecting = faults.RunAsync(loadEnded.Token, abort);
        var next = -1;
        var load = Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            while (!loadEnded.IsCancellationRequested && !abort.IsCancellationRequested)
            {
                var request = factory.Create(Interlocked.Increment(ref next));
                tally.OnSent(request);
                tally.OnDone(await client.SendAsync(request, abort));
            }
        })));
        await SoakProgress.ShowAsync(load, settings.Duration, () => clock.Seconds - loadStartS,
            () => Describe(tally, faults, rss), settings.Progress);
        var loadEndS = clock.Seconds;
        // A worker restart under way finishes first: the checks judge the cluster recovered, not mid-restart.
        await injecting;
        rss.Sample();
        await stopSampling.CancelAsync();
        await sampling;

        Say($"load done after {loadEndS - loadStartS:0} s; waiting up to {settings.Settle.TotalSeconds:0} s for the KV blocks...");
        var kv = await KvCheck.WaitAllFreeAsync(http, target.BaseUrl, settings.Settle, abort);
        var alive = await StillServesAsync(client, factory, next + 1, abort);
        var outcomes = tally.Outcomes;
        var warmUpEndS = loadStartS + settings.WarmUp.TotalSeconds;
        var rssVerdicts = rss.Series.Select(s => RssVerdict.Of(s, warmUpEndS, loadEndS)).ToList();
        var logs = LogVerdict.Of(log, faults.Faults, settings.Faults.Grace);
        List<SoakCheck> checks =
        [
            RequestVerdict.Answers(outcomes, settings.RequestDeadline),
            RequestVerdict.Completions(outcomes, settings.MinCompletedShare),
            KvCheck.Verdict(kv),
            RssVerdict.Check(rssVerdicts, settings.MaxRssGrowthPercent,
                settings.Target.Topology == SoakTopology.External ? "an external server's memory is not visible (give --server-pid PID)" : null),
            logs.Check(target.CapturesLogs),
            alive,
            .. FaultCheck(faults.Faults),
        ];

        var result = new SoakResult
        {
            Passed = checks.All(c => c.Status != CheckStatus.Fail),
            Checks = checks,
            StartedUtc = started.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            CommandLine = settings.CommandLine,
            Machine = JsonSerializer.SerializeToElement(MachineInfo.Read(), ResultWriter.Json),
            Target = target.Description,
            Model = model,
            // The key stays out of the file.
            Settings = JsonSerializer.SerializeToElement(settings with { Target = settings.Target with { ApiKey = null }, CommandLine = [] }, ResultWriter.Json),
            LoadSeconds = Math.Round(loadEndS - loadStartS, 1),
            WarmUpSeconds = settings.WarmUp.TotalSeconds,
            Requests = tally.Counts(loadEndS - loadStartS),
            CleanErrors = [.. RequestVerdict.Reasons(outcomes.Where(o => o.Kind == OutcomeKind.CleanError)).Take(20)],
            Violations = [.. outcomes.Where(o => o.Kind == OutcomeKind.Violation).Take(200)],
            Faults = faults.Faults,
            Kv = kv,
            Rss = rssVerdicts,
            // Counted in full, kept in part: a failure logged every second must not swell the file.
            Logs = logs with { Unattributed = [.. logs.Unattributed.Take(LogVerdict.Shown)] },
        };
        SoakReport.Print(result);
        ResultWriter.Write(Path.Combine(settings.OutDir, "result.json"), result, SoakReport.Markdown(result));
        ResultWriter.WriteMarkdown(Path.Combine(settings.OutDir, "requests.csv"), OutcomeCsv.Of(outcomes));
        return result;
    }

    async Task<ISoakTarget> OpenAsync(HttpClient http, LogBook log, SoakClock clock, CancellationToken cancellationToken) => settings.Target.Topology switch
    {
        SoakTopology.Embedded => await EmbeddedTarget.StartAsync(settings.Target, http, log, clock, cancellationToken),
        SoakTopology.Cluster => await ClusterTarget.StartAsync(settings.Target, http, log, clock, cancellationToken),
        _ => ExternalTarget.Open(settings.Target, log),
    };

    /// <summary>After everything: /health is 200 and one more request completes.</summary>
    static async Task<SoakCheck> StillServesAsync(SoakClient client, SoakRequestFactory factory, int index, CancellationToken cancellationToken)
    {
        const string Name = "serves after the soak";
        // The first well-formed request from here on, sent whole and kept.
        var request = Enumerable.Range(index, 1000).Select(factory.Create).First(r => r.Invalid is null) with { Disconnect = null };
        var outcome = await client.SendAsync(request, cancellationToken);
        return outcome.Kind == OutcomeKind.Completed
            ? new SoakCheck(Name, CheckStatus.Pass, $"request #{request.Index} completed in {outcome.EndS - outcome.StartS:0.00} s")
            : new SoakCheck(Name, CheckStatus.Fail, $"request #{request.Index}: {outcome.Kind}: {outcome.Detail}");
    }

    static IEnumerable<SoakCheck> FaultCheck(IReadOnlyList<FaultRecord> faults)
    {
        if (faults.Count == 0)
            yield break;
        var failed = faults.Where(f => !f.Ok).ToList();
        yield return failed.Count == 0
            ? new SoakCheck("faults recovered", CheckStatus.Pass, $"{faults.Count} fault(s): {string.Join(", ", faults.GroupBy(f => f.Kind).Select(g => $"{g.Count()} {g.Key}"))}; the longest recovery {faults.Max(f => f.EndS - f.StartS):0.0} s")
            : new SoakCheck("faults recovered", CheckStatus.Fail, $"{failed.Count} of {faults.Count} fault(s) left the cluster unrecovered; the first: {failed[0].Kind} {failed[0].Target}: {failed[0].Detail}");
    }

    static string Describe(SoakTally tally, FaultInjector faults, RssTracker rss)
    {
        var line = $"{tally.Finished} done: {tally.Count(OutcomeKind.Completed)} ok, {tally.Count(OutcomeKind.CleanError)} errors, {tally.Count(OutcomeKind.Disconnected)} left, "
            + $"{tally.Count(OutcomeKind.Rejected)} refused, {tally.Count(OutcomeKind.Violation)} violations; {tally.InFlight} in flight";
        if (faults.Faults.Count > 0)
            line += $"; {faults.Faults.Count} fault(s)";
        if (rss.LatestTotalBytes is { } bytes)
            line += $"; rss {bytes / (1024.0 * 1024):0} MB";
        return line;
    }

    void Say(string text)
    {
        if (settings.Progress)
            Console.WriteLine(text);
    }
}
