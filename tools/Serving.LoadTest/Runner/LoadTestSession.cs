using System.Net.Http.Headers;
using System.Text.Json;
using Serving.LoadTest.Arrivals;
using Serving.LoadTest.Client;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Output;
using Serving.LoadTest.Search;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Runner;

/// <summary>
/// One invocation against a running server: resolve the model, build the workload, check one request, then run,
/// sweep or search; print each run's summary and write the result file, markdown summary and plots.
/// </summary>
internal sealed class LoadTestSession(LoadTestSettings settings)
{
    public async Task<LoadTestResult> ExecuteAsync(LoadTestMode mode, CancellationToken cancellationToken)
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
        var requests = await WorkloadBuilder.BuildAsync(settings.Workload, prompts, settings.Seed, cancellationToken);
        if (requests.Count == 0)
            throw new InvalidOperationException("the workload has no requests");
        // Every run of a sweep or search sends the same lengths at the same (scaled) times, but run k > 0 gets new prompt
        // text: with the first run's prompts again the server would answer from its prefix cache and look faster. A
        // batch longer than the workload (a search probe) repeats its lengths, each with new text too.
        async Task<List<WorkloadRequest>> Fresh(List<WorkloadRequest> batch, int run, CancellationToken ct) =>
            run == 0 && batch.Count <= requests.Count ? batch : await WorkloadBuilder.FreshPromptsAsync(settings.Workload, batch, prompts, new Random(unchecked(settings.Seed * 1_000_003 + run)), ct);

        var client = new StreamingClient(http, target, model);
        // The preflight's prompt is not one of the run's: a cached first prompt would flatter the first request.
        if (!settings.SkipPreflight)
            await PreflightAsync(client, (await Fresh(requests.Take(1).ToList(), -1, cancellationToken))[0], cancellationToken);

        // Unrecorded warm-up: the server's first requests (JIT, caches, its own warm-up) belong to no run.
        double? warmupE2elS = settings.Warmups > 0
            ? await WarmUpAsync(client, await WorkloadBuilder.FreshPromptsAsync(settings.Workload, Cycle(requests, settings.Warmups), prompts, new Random(settings.Seed - 7), cancellationToken), cancellationToken)
            : null;

        var runs = new List<RunRecord>();
        SearchResult? search = null;
        switch (mode)
        {
            case LoadTestMode.Run:
                runs.Add(await RunOnceAsync(client, requests, Plan(requests, settings.Arrival, settings.Rate), cancellationToken));
                break;
            case LoadTestMode.Sweep:
                foreach (var rate in settings.SweepRates)
                {
                    var batch = await Fresh(requests, runs.Count, cancellationToken);
                    runs.Add(await RunOnceAsync(client, batch, Plan(batch, ArrivalMode.Poisson, rate), cancellationToken));
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
                    var run = await RunOnceAsync(client, batch, Plan(batch, ArrivalMode.Poisson, rate), ct);
                    runs.Add(run);
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
            Workload = settings.Workload with { NumPrompts = requests.Count },
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
        ResultFolder.Write(settings.OutDir, result, settings.Plots);
        return result;
    }

    async Task<RunRecord> RunOnceAsync(StreamingClient client, IReadOnlyList<WorkloadRequest> requests, RunPlan plan, CancellationToken cancellationToken)
    {
        var label = plan.Rate is { } r ? $"{r:0.###} req/s" : settings.Arrival.ToString().ToLowerInvariant();
        var outcome = await ProgressDisplay.ShowAsync(label, requests.Count, settings.Progress,
            observer => new LoadRunner(client).RunAsync(plan, observer, cancellationToken));
        var summary = SummaryCalculator.Summarize(outcome.Results, outcome.DurationS, settings.Slo, settings.Percentiles);
        var record = new RunRecord(plan.Rate, summary, outcome.Overhead, ProcInfo.LoadAverage(), outcome.Results);
        if (settings.Progress)
            ConsoleReport.Print(record);
        return record;
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
        var (result, _) = await client.SendAsync(first with { OutputTokens = Math.Min(first.OutputTokens, 4) }, cancellationToken);
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
