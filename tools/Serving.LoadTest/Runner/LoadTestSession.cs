using System.Net.Http.Headers;
using System.Text.Json;
using Serving.LoadTest.Arrivals;
using Serving.LoadTest.Client;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Output;
using Serving.LoadTest.Search;
using Serving.LoadTest.ServerMetrics;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Runner;

/// <summary>
/// One invocation against a running server: resolve the model, build the workload, check one request, then run,
/// sweep or search; print each run's summary and write the result file, markdown summary and plots. Each run is
/// framed by scrapes of the server's /metrics, whose counters' changes are reported beside the latencies.
/// </summary>
internal sealed class LoadTestSession(LoadTestSettings settings)
{
    public async Task<LoadTestReport> ExecuteAsync(LoadTestMode mode, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var machine = MachineInfo.Read();
        using var http = CreateHttp(settings.ApiKey);
        var model = settings.Target.Model ?? await FirstModelAsync(http, settings.Target.BaseUrl, cancellationToken);
        var target = settings.Target with { Model = model };
        var tokenizer = settings.Workload.UseServerTokenizer
            ? await TargetTokenizer.TryCreateAsync(http, target.BaseUrl, model, cancellationToken)
            : null;
        var prompts = await PromptBuilder.CreateAsync(tokenizer, new Random(settings.Seed), cancellationToken);
        // A multi-turn run sends conversations; its openings stand for it in the preflight and the warm-up.
        List<ConversationScript>? conversations = null;
        var fromDataset = false;
        if (settings.MultiTurn is { } multiTurn)
        {
            if (mode != LoadTestMode.Run)
                throw new InvalidOperationException("the multi-turn workload is closed-loop: use run");
            (conversations, fromDataset) = MultiTurnWorkload.Build(multiTurn, settings.Workload, settings.Seed);
        }
        var requests = conversations is not null ? MultiTurnWorkload.Openings(conversations)
            : settings.SharedPrefix is { } sharedPrefix ? await SharedPrefixWorkload.BuildAsync(sharedPrefix, settings.Workload.Output, prompts, new Random(settings.Seed), cancellationToken)
            : await WorkloadBuilder.BuildAsync(settings.Workload, prompts, settings.Seed, cancellationToken);
        if (requests.Count == 0)
            throw new InvalidOperationException("the workload has no requests");
        // Every run of a sweep or search sends the same lengths at the same (scaled) times, but run k > 0 gets new prompt
        // text: with the first run's prompts again the server would answer from its prefix cache and look faster. A
        // batch longer than the workload (a search probe) repeats its lengths, each with new text too; a shared-prefix
        // batch keeps its groups, each with a new prefix.
        async Task<List<WorkloadRequest>> Fresh(List<WorkloadRequest> batch, int run, CancellationToken ct)
        {
            if (run == 0 && batch.Count <= requests.Count)
                return batch;
            var random = new Random(unchecked(settings.Seed * 1_000_003 + run));
            return settings.SharedPrefix is { } sp
                ? await SharedPrefixWorkload.FreshAsync(sp, batch, prompts, random, ct)
                : await WorkloadBuilder.FreshPromptsAsync(settings.Workload, batch, prompts, random, ct);
        }

        var client = new StreamingClient(http, target, model);
        // The preflight's prompt is not one of the run's: a cached first prompt would flatter the first request.
        if (!settings.SkipPreflight)
            await PreflightAsync(client, (await Fresh(requests.Take(1).ToList(), -1, cancellationToken))[0], cancellationToken);

        // Unrecorded warm-up: the server's first requests (JIT, caches, its own warm-up) belong to no run.
        double? warmupE2elS = settings.Warmups > 0
            ? await WarmUpAsync(client, await WorkloadBuilder.FreshPromptsAsync(settings.Workload, Cycle(requests, settings.Warmups), prompts, new Random(settings.Seed - 7), cancellationToken), cancellationToken)
            : null;

        var runs = new List<RunRecord>();
        var extras = new List<RunExtras>();
        SearchResult? search = null;
        async Task<RunRecord> RunAsync(int count, double? rate, Func<IRunObserver, Task<RunOutcome>> send, CancellationToken ct)
        {
            var (run, extra) = await MeasureAsync(http, target.BaseUrl, count, rate, send, ct);
            runs.Add(run);
            extras.Add(extra);
            return run;
        }
        Task<RunRecord> OpenLoopAsync(RunPlan plan, CancellationToken ct) =>
            RunAsync(plan.Requests.Count, plan.Rate, observer => new LoadRunner(client).RunAsync(plan, observer, ct), ct);
        switch (mode)
        {
            case LoadTestMode.Run when conversations is not null:
                // The arrival schedule says when each conversation starts; its later turns follow its answers.
                var starts = Plan(requests, settings.Arrival, settings.Rate);
                var closedLoop = new ConversationPlan(conversations, starts.ArrivalsS, settings.MultiTurn!.ThinkTimeMs / 1000, settings.MaxConcurrency, starts.Rate);
                await RunAsync(closedLoop.Requests, closedLoop.Rate, observer => new ConversationRunner(client).RunAsync(closedLoop, observer, cancellationToken), cancellationToken);
                break;
            case LoadTestMode.Run:
                await OpenLoopAsync(Plan(requests, settings.Arrival, settings.Rate), cancellationToken);
                break;
            case LoadTestMode.Sweep:
                foreach (var rate in settings.SweepRates)
                {
                    var batch = await Fresh(requests, runs.Count, cancellationToken);
                    await OpenLoopAsync(Plan(batch, ArrivalMode.Poisson, rate), cancellationToken);
                }
                break;
            case LoadTestMode.Search:
                // Each probe offers its rate for a fixed time, long enough for a queue the server cannot drain to show:
                // the workload's requests, cycled with new prompt text, as many as the time takes.
                var seconds = settings.Search.ProbeSeconds ?? SearchSettings.AutoProbeSeconds(warmupE2elS ?? 0);
                search = await GoodputSearch.RunAsync(async (rate, ct) =>
                {
                    var n = settings.Search.ProbeRequests(rate, seconds);
                    var batch = await Fresh(Cycle(requests, n), runs.Count, ct);
                    var run = await OpenLoopAsync(Plan(batch, ArrivalMode.Poisson, rate), ct);
                    return ProbeVerdict.Of(rate, run.Summary, settings.Search);
                }, settings.Search, cancellationToken);
                break;
        }

        var result = new LoadTestResult
        {
            Mode = mode.ToString().ToLowerInvariant(),
            StartedUtc = started.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            CommandLine = settings.CommandLine,
            Machine = JsonSerializer.SerializeToElement(machine, ResultWriter.Json),
            Target = target,
            Workload = conversations is not null
                ? settings.Workload with { Kind = fromDataset ? WorkloadKind.ShareGpt : WorkloadKind.Synthetic, NumPrompts = conversations.Sum(c => c.Turns) }
                : settings.Workload with { NumPrompts = requests.Count },
            PromptsFromServerTokenizer = prompts.UsesServerTokenizer,
            Arrival = mode == LoadTestMode.Run ? settings.Arrival : ArrivalMode.Poisson,
            Burstiness = settings.Burstiness,
            MaxConcurrency = settings.MaxConcurrency,
            Seed = settings.Seed,
            Slo = settings.Slo,
            Percentiles = settings.Percentiles,
            Warmups = settings.Warmups,
            Runs = runs,
            Search = search,
        };
        var report = new LoadTestReport(result, new ResultExtras
        {
            MultiTurn = conversations is not null ? settings.MultiTurn : null,
            SharedPrefix = settings.SharedPrefix,
            Runs = extras,
        });
        ResultFolder.Write(settings.OutDir, result, settings.Plots, report.Extras);
        return report;
    }

    /// <summary>One run of <paramref name="count"/> requests under the progress bar, between two scrapes of the server's counters; prints its summary.</summary>
    async Task<(RunRecord, RunExtras)> MeasureAsync(HttpClient http, Uri baseUrl, int count, double? rate, Func<IRunObserver, Task<RunOutcome>> run, CancellationToken cancellationToken)
    {
        var label = rate is { } r ? $"{r:0.###} req/s" : settings.Arrival.ToString().ToLowerInvariant();
        var before = settings.ServerMetrics ? await MetricsSnapshot.TryScrapeAsync(http, baseUrl, cancellationToken) : null;
        var outcome = await ProgressDisplay.ShowAsync(label, count, settings.Progress, run);
        // After a stopped run too: its counters still say what it did.
        var after = before is not null ? await MetricsSnapshot.TryScrapeAsync(http, baseUrl, CancellationToken.None) : null;
        var summary = SummaryCalculator.Summarize(outcome.Results, outcome.DurationS, settings.Slo, settings.Percentiles);
        var record = new RunRecord(rate, summary, outcome.Overhead, ProcInfo.LoadAverage(), outcome.Results);
        var extras = new RunExtras
        {
            Requests = outcome.Tags,
            PrefixCache = PrefixCacheCalculator.Summarize(outcome.Results, outcome.Tags),
            ServerCounters = ServerCounters.Between(before, after, outcome.Results.Count(q => q.SentS is not null)),
        };
        if (settings.Progress)
            ConsoleReport.Print(record, extras);
        return (record, extras);
    }

    RunPlan Plan(IReadOnlyList<WorkloadRequest> requests, ArrivalMode mode, double rate)
    {
        var random = new Random(settings.Seed + 1);
        var n = requests.Count;
        return mode switch
        {
            ArrivalMode.Poisson => new RunPlan(requests, ArrivalSchedule.Poisson(n, rate, settings.Burstiness, random), settings.MaxConcurrency, rate),
            ArrivalMode.Trace => new RunPlan(requests, ArrivalSchedule.FromTrace([.. requests.Select(q => q.ArrivalS ?? 0)], settings.Workload.TraceSpeedup), settings.MaxConcurrency, null),
            _ => new RunPlan(requests, ArrivalSchedule.AllAtOnce(n), settings.MaxConcurrency, null),
        };
    }

    /// <summary>The workload's first <paramref name="count"/> requests, repeated in order when it has fewer.</summary>
    static List<WorkloadRequest> Cycle(IReadOnlyList<WorkloadRequest> requests, int count) =>
        [.. Enumerable.Range(0, count).Select(i => requests[i % requests.Count] with { Index = i })];

    /// <summary>Sends the warm-up requests at once and waits for them; returns their median latency in seconds (null when none succeeded).</summary>
    async Task<double?> WarmUpAsync(StreamingClient client, IReadOnlyList<WorkloadRequest> warmups, CancellationToken cancellationToken)
    {
        if (settings.Progress)
            Spectre.Console.AnsiConsole.MarkupLine($"[grey]warming up: {warmups.Count} request(s), not recorded...[/]");
        var results = await Task.WhenAll(warmups.Select(w => client.SendAsync(w, cancellationToken)));
        var ok = results.Where(r => r.Result.Success).Select(r => r.Result.E2elMs / 1000).ToArray();
        return ok.Length > 0 ? Serving.Planning.Planner.KeptUp.Median(ok) : null;
    }

    static async Task PreflightAsync(StreamingClient client, WorkloadRequest first, CancellationToken cancellationToken)
    {
        var result = (await client.SendAsync(first with { OutputTokens = Math.Min(first.OutputTokens, 4) }, cancellationToken)).Result;
        if (!result.Success)
            throw new InvalidOperationException($"the first test request failed ({result.FailureLabel}): {result.Error}");
    }

    /// <summary>A client for many long requests at once; per-request timeouts are the caller's.</summary>
    public static HttpClient CreateHttp(string? apiKey)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        // Per-request timeouts are the client's own (so a timeout is told apart from a stopped run).
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        if (apiKey is { Length: > 0 } key)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>The first model /v1/models lists.</summary>
    public static async Task<string> FirstModelAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(baseUrl, "v1/models"), cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {baseUrl}v1/models answered {(int)response.StatusCode}: give --model NAME");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0
            ? data[0].GetProperty("id").GetString()!
            : throw new InvalidOperationException($"{baseUrl}v1/models lists no model: give --model NAME");
    }
}
