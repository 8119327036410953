using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Serving.Cluster.Tests.Support;
using Serving.Engine.Core;
using Serving.Model.Sampling;

namespace Serving.Cluster.Tests;

/// <summary>
/// What Kubernetes does on a rolling update or a scale-down: SIGTERM to one worker process while requests stream
/// through the cluster. Every request must end with the text a single engine gives (greedy), none may hang, the
/// survivors must hold no KV blocks afterwards, and the stopped process must exit 0 within its drain deadline.
/// Each test runs its own cluster (Redis with a password, read from a file), since it stops part of it.
/// </summary>
public sealed class GracefulShutdownTests(GracefulShutdownTests.ReferenceEngine reference, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<GracefulShutdownTests.ReferenceEngine>
{
    const double DrainSeconds = 2;
    // The drain, then what the host allows for handing over and leaving (GracefulShutdown.StopMargin).
    static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(DrainSeconds + 15);

    public sealed class ReferenceEngine : IDisposable
    {
        public LlmEngine Engine { get; } = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 64L << 20 });

        public void Dispose() => Engine.Dispose();
    }

    [Fact]
    public async Task SigtermToADecodeProcess_UnderLoad_EveryRequestFinishesWithTheSingleEngineText_AndItExitsZero()
    {
        using var cluster = await ClusterProcesses.StartAsync(redisPassword: true, $"--drain-timeout-s {DrainSeconds}",
            ("gateway", "gateway"), ("prefill", "prefill"), ("decode-a", "decode"), ("decode-b", "decode"));
        await cluster.WaitForWorkersAsync(3, TimeSpan.FromSeconds(60));

        // Long answers outlast the drain and must be handed over; short ones arrive all along and finish anywhere.
        var requests = new List<Task<Outcome>>();
        string[] longPrompts = ["A long story about a lighthouse keeper:", "The history of the printing press, told slowly:"];
        for (var i = 0; i < 4; i++)
            requests.Add(StreamAsync(cluster, longPrompts[i % 2], 700));
        await WaitForStreamsAsync(cluster, 4);
        var stopping = ServingFirstLong(cluster);

        using var steady = new CancellationTokenSource();
        var load = SteadyLoadAsync(cluster, requests, "Question {0}: what comes next?", 24, TimeSpan.FromMilliseconds(150), steady.Token);
        await Task.Delay(500);
        await TerminateAndAssertExitAsync(cluster, stopping, after: TimeSpan.FromSeconds(1), steady, load);

        output.WriteLine($"{requests.Count} requests");
        await AssertAllMatchAsync(cluster, requests);
        // The long requests on the stopped worker outlived the drain: they were handed over and resumed elsewhere.
        Assert.Contains(cluster["gateway"].Output, l => l.Contains("handed it back", StringComparison.Ordinal) && l.Contains($":{stopping.SiloPort}@", StringComparison.Ordinal));
        Assert.Contains(stopping.Output, l => l.Contains("handing them over", StringComparison.Ordinal));
        AssertNoWorkerFailed(cluster);
        Assert.Contains(stopping.Output, l => l.Contains("Drained:", StringComparison.Ordinal));
        await AssertNoKvHeldAsync(cluster, workers: 2);
        AssertPasswordNeverPrinted(cluster);
    }

    [Fact]
    public async Task SigtermToAPrefillProcess_UnderLoad_EveryRequestFinishesWithTheSingleEngineText_AndItExitsZero()
    {
        using var cluster = await ClusterProcesses.StartAsync(redisPassword: true, $"--drain-timeout-s {DrainSeconds}",
            ("gateway", "gateway"), ("prefill-a", "prefill"), ("prefill-b", "prefill"), ("decode", "decode"));
        await cluster.WaitForWorkersAsync(3, TimeSpan.FromSeconds(60));

        var requests = new List<Task<Outcome>>();
        using var steady = new CancellationTokenSource();
        // Prompts long enough to be prefilled by the prefill pool (several KV blocks each).
        var load = SteadyLoadAsync(cluster, requests, "Document {0}. " + string.Join(' ', Enumerable.Repeat("a paragraph about serving clusters", 12)), 16,
            TimeSpan.FromMilliseconds(120), steady.Token);
        await Task.Delay(1500);
        var stopping = cluster["prefill-a"];
        await TerminateAndAssertExitAsync(cluster, stopping, after: TimeSpan.FromSeconds(1.5), steady, load);

        output.WriteLine($"{requests.Count} requests");
        await AssertAllMatchAsync(cluster, requests);
        // It prefilled its share before it left, and none after.
        var prefilledBy = requests.Select(r => r.Result).GroupBy(o => o.PrefillWorker).ToDictionary(g => g.Key ?? "(local)", g => g.Count());
        output.WriteLine("prefilled by: " + string.Join(", ", prefilledBy.Select(p => $"{p.Key}: {p.Value}")));
        Assert.Contains(stopping.Output, l => l.Contains("Drained:", StringComparison.Ordinal));
        AssertNoWorkerFailed(cluster);
        await AssertNoKvHeldAsync(cluster, workers: 2);
        AssertPasswordNeverPrinted(cluster);
    }

    /// <summary>
    /// A graceful stop hands requests over; it does not fail them — not on the stopping worker, and not on the
    /// others (their grains must survive a silo leaving).
    /// </summary>
    static void AssertNoWorkerFailed(ClusterProcesses cluster)
    {
        var failures = cluster["gateway"].Output.Where(l => l.Contains("resuming elsewhere", StringComparison.Ordinal) && !l.Contains("handed it back", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, $"requests failed on a worker during the stop:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    /// <summary>
    /// SIGTERM to <paramref name="stopping"/>; the steady load goes on until it has exited and <paramref name="after"/>
    /// more. It must exit 0 within the drain deadline.
    /// </summary>
    async Task TerminateAndAssertExitAsync(ClusterProcesses cluster, ServingProcess stopping, TimeSpan after, CancellationTokenSource steady, Task load)
    {
        var stop = Stopwatch.StartNew();
        stopping.Terminate();
        var exited = await stopping.WaitForExitAsync(ExitDeadline + TimeSpan.FromSeconds(10));
        stop.Stop();
        await Task.Delay(after);
        await steady.CancelAsync();
        await load;

        Assert.True(exited, $"{stopping.Name} did not exit after SIGTERM{Environment.NewLine}{cluster.Logs()}");
        Assert.True(stopping.ExitCode == 0, $"{stopping.Name} exited with {stopping.ExitCode}{Environment.NewLine}{cluster.Logs()}");
        Assert.True(stop.Elapsed < ExitDeadline, $"{stopping.Name} took {stop.Elapsed.TotalSeconds:0.0} s to exit (deadline {ExitDeadline.TotalSeconds} s)");
        output.WriteLine($"{stopping.Name} exited 0 after {stop.Elapsed.TotalSeconds:0.0} s");
    }

    sealed record Outcome(string Prompt, int MaxTokens, string? Id, string Text, bool Done, string? Error, string? PrefillWorker);

    /// <summary>Sends requests at a steady pace until cancelled; each is streamed to its end.</summary>
    static async Task SteadyLoadAsync(ClusterProcesses cluster, List<Task<Outcome>> requests, string promptFormat, int maxTokens, TimeSpan every, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            lock (requests)
                requests.Add(StreamAsync(cluster, string.Format(System.Globalization.CultureInfo.InvariantCulture, promptFormat, i), maxTokens));
            try
            {
                await Task.Delay(every, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One streamed, greedy completion read to its end: its text, whether [DONE] came, any error event or status.</summary>
    static async Task<Outcome> StreamAsync(ClusterProcesses cluster, string prompt, int maxTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt, max_tokens = maxTokens, temperature = 0, ignore_eos = true, stream = true }),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var response = await cluster.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
            return new Outcome(prompt, maxTokens, null, "", false, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(timeout.Token)}", null);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new CompletionEvents(reader);
        var text = "";
        string? id = null, error = null;
        await foreach (var json in events.ReadAsync(timeout.Token))
        {
            if (json.TryGetProperty("error", out var e))
            {
                error = e.ToString();
                continue;
            }
            id ??= json.GetProperty("id").GetString();
            text += json.GetProperty("choices")[0].GetProperty("text").GetString();
        }
        return new Outcome(prompt, maxTokens, id, text, events.Done, error, PrefillWorkerOf(cluster, id));
    }

    static string? PrefillWorkerOf(ClusterProcesses cluster, string? id)
    {
        var line = id is null ? null : cluster["gateway"].Output.FirstOrDefault(l => l.Contains($"Request {id}: decode on", StringComparison.Ordinal));
        return line?[(line.IndexOf("prefill on ", StringComparison.Ordinal) + "prefill on ".Length)..].TrimEnd('.');
    }

    /// <summary>Waits until the gateway has assigned the first <paramref name="count"/> requests (their streams are running).</summary>
    static async Task WaitForStreamsAsync(ClusterProcesses cluster, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (cluster["gateway"].Output.Count(l => l.Contains(": decode on ", StringComparison.Ordinal)) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the gateway did not assign {count} requests{Environment.NewLine}{cluster.Logs()}");
            await Task.Delay(50);
        }
        await Task.Delay(300);
    }

    /// <summary>The decode process running the first request the gateway assigned.</summary>
    static ServingProcess ServingFirstLong(ClusterProcesses cluster)
    {
        var line = cluster["gateway"].Output.First(l => l.Contains(": decode on ", StringComparison.Ordinal));
        // Worker keys are "host:siloPort@epoch|name".
        var key = line[(line.IndexOf("decode on ", StringComparison.Ordinal) + "decode on ".Length)..];
        var siloPort = int.Parse(key[(key.IndexOf(':') + 1)..key.IndexOf('@')], System.Globalization.CultureInfo.InvariantCulture);
        return cluster.Processes.Single(p => p.SiloPort == siloPort);
    }

    async Task AssertAllMatchAsync(ClusterProcesses cluster, List<Task<Outcome>> requests)
    {
        Task<Outcome>[] all;
        lock (requests)
            all = [.. requests];
        var finished = await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(150));
        var expected = new Dictionary<(string, int), string>();
        foreach (var o in finished)
        {
            Assert.True(o.Error is null && o.Done, $"request '{o.Prompt}' ({o.Id}) did not complete: error {o.Error}, [DONE] {o.Done}{Environment.NewLine}{cluster.Logs()}");
            if (!expected.TryGetValue((o.Prompt, o.MaxTokens), out var text))
                expected[(o.Prompt, o.MaxTokens)] = text = Expected(o.Prompt, o.MaxTokens);
            Assert.True(text == o.Text, $"request '{o.Prompt}' ({o.Id}) differs from the single engine:{Environment.NewLine}got:      {o.Text}{Environment.NewLine}expected: {text}");
        }
    }

    /// <summary>Once the load is over, every surviving worker holds no sequence and no KV block.</summary>
    static async Task AssertNoKvHeldAsync(ClusterProcesses cluster, int workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var health = "";
        while (DateTime.UtcNow < deadline)
        {
            health = await cluster.Http.GetStringAsync("/health");
            var list = JsonDocument.Parse(health).RootElement.GetProperty("workers").EnumerateArray().ToList();
            if (list.Count == workers && list.All(w => w.GetProperty("free_kv_blocks").GetInt32() == w.GetProperty("total_kv_blocks").GetInt32()
                                                       && w.GetProperty("running").GetInt32() == 0 && w.GetProperty("waiting").GetInt32() == 0))
                return;
            await Task.Delay(200);
        }
        Assert.Fail($"the surviving workers still hold KV or sequences: {health}");
    }

    static void AssertPasswordNeverPrinted(ClusterProcesses cluster) =>
        Assert.DoesNotContain(cluster.Redis.Password!, cluster.Logs(), StringComparison.Ordinal);

    string Expected(string prompt, int maxTokens)
    {
        var engine = reference.Engine;
        var output = engine.Generate([engine.Encode(prompt)], SamplingParams.Greedy(maxTokens) with { IgnoreEos = true })[0];
        return engine.Tokenizer!.Decode(output);
    }
}
