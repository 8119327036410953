using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Serving.Cluster.Tests.Support;
using Serving.Engine.Core;
using Serving.Engine.DefaultModel;
using Serving.Model.Sampling;

namespace Serving.Cluster.Tests;

/// <summary>
/// Faults that are not a clean stop, on real processes: an engine that hangs (the --debug-hang-file hook), a prefill
/// process killed in the middle of a prefill, the process hosting the router and a gateway killed. Every request must
/// still end with the text a single engine gives (greedy), within seconds. Each test runs its own cluster.
/// </summary>
public sealed class WorkerFaultTests(GracefulShutdownTests.ReferenceEngine reference, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<GracefulShutdownTests.ReferenceEngine>, IDisposable
{
    // Short, so the tests are: a worker stuck this long gives up its requests and leaves routing.
    const double StallSeconds = 2;
    readonly string hangFile = Path.Combine(Path.GetTempPath(), $"serving-hang-{Guid.NewGuid():N}");

    [Fact]
    public async Task AWorkerWhoseEngineHangs_GivesUpItsRequests_TheyFinishElsewhere_AndItReturnsWhenItMoves()
    {
        using var cluster = await ClusterProcesses.StartAsync(redisPassword: false, $"--stall-s {StallSeconds}",
            ("gateway", "gateway"), ("mixed-b", "mixed"));
        using var hanging = ServingProcess.Start("mixed-a", "mixed", cluster.Redis, DefaultModelStore.EnsureDefault(), extra: $"--stall-s {StallSeconds} --debug-hang-file {hangFile}");
        try
        {
            await hanging.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await cluster.WaitForWorkersAsync(2, TimeSpan.FromSeconds(60));

            // Two long streams at once: least-loaded routing puts one on each worker.
            var streams = new[] { "A story about a clock that stopped:", "Notes on a very slow river:" }
                .Select(p => StreamAsync(cluster.Http, p, 600)).ToArray();
            await WaitForAsync(() => cluster["gateway"].Output.Count(l => l.Contains(": decode on ", StringComparison.Ordinal)) >= 2, "both streams to be assigned", cluster);
            await Task.Delay(300);
            var hungAt = Stopwatch.StartNew();
            await File.WriteAllTextAsync(hangFile, "");

            // Meanwhile new requests go to the worker that moves.
            var during = await CompleteAsync(cluster.Http, "While one engine is stuck", 8);
            var outcomes = await Task.WhenAll(streams);
            output.WriteLine($"streams ended {hungAt.Elapsed.TotalSeconds:0.0} s after the hang; longest gaps {string.Join(", ", outcomes.Select(o => $"{o.LongestGap.TotalSeconds:0.0} s"))}");

            Assert.Equal(Expected("While one engine is stuck", 8), during);
            foreach (var o in outcomes)
            {
                Assert.True(o.Done && o.Error is null, $"{o.Prompt}: done {o.Done}, error {o.Error}");
                Assert.Equal(Expected(o.Prompt, 600), o.Text);
            }
            // The stuck worker's stream waited about the stall timeout (plus a heartbeat and the hand-over), no more.
            Assert.True(outcomes.Max(o => o.LongestGap) < TimeSpan.FromSeconds(StallSeconds + 3), $"longest gap {outcomes.Max(o => o.LongestGap)}");
            Assert.Contains(hanging.Output, l => l.Contains("made no progress", StringComparison.Ordinal) && l.Contains("giving up", StringComparison.Ordinal));
            Assert.Contains("out of routing until it moves", cluster.Logs() + string.Join('\n', hanging.Output));

            // Unstuck, it serves again and holds nothing from the requests it gave up.
            File.Delete(hangFile);
            await WaitForAsync(() => hanging.Output.Any(l => l.Contains("making progress again", StringComparison.Ordinal)), "the worker to move again", cluster);
            await AssertNoKvHeldAsync(cluster.Http, workers: 2);
        }
        finally
        {
            File.Delete(hangFile);
            output.WriteLine(cluster.Logs());
            output.WriteLine(string.Join('\n', hanging.Output.Select(l => $"[mixed-a] {l}")));
        }
    }

    [Fact]
    public async Task ThePrefillProcessKilledMidPrefill_TheRequestStillCompletesCorrectly_BySomeOtherWay()
    {
        using var cluster = await ClusterProcesses.StartAsync(redisPassword: false, "", ("gateway", "gateway"), ("decode", "decode"));
        using var prefill = ServingProcess.Start("prefill", "prefill", cluster.Redis, DefaultModelStore.EnsureDefault(), extra: $"--debug-hang-file {hangFile}");
        try
        {
            await prefill.WaitReadyAsync(TimeSpan.FromSeconds(90));
            await cluster.WaitForWorkersAsync(2, TimeSpan.FromSeconds(60));

            // The prefill engine freezes as soon as it has the prompt; then its process dies, mid-prefill.
            await File.WriteAllTextAsync(hangFile, "");
            var prompt = "A prompt long enough for the prefill pool: " + string.Join(' ', Enumerable.Repeat("the KV cache moves between workers", 20));
            var clock = Stopwatch.StartNew();
            var answer = CompleteAsync(cluster.Http, prompt, 16);
            await WaitForAsync(() => cluster["gateway"].Output.Any(l => l.Contains("prefill on ", StringComparison.Ordinal) && !l.Contains("prefill on (none)", StringComparison.Ordinal)), "a prefill assignment", cluster);
            await Task.Delay(500);
            prefill.Kill();

            Assert.Equal(Expected(prompt, 16), await answer);
            output.WriteLine($"answered {clock.Elapsed.TotalSeconds:0.0} s after it was sent");
            // Recomputed by the decode worker once the prefill worker's silo was declared dead: seconds, not the
            // minute and a half three transfer attempts of 30 s took.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
            Assert.Contains(cluster["decode"].Output, l => l.Contains("recomputing its prefill locally", StringComparison.Ordinal));
            Assert.Equal(Expected("After the prefill pool is gone", 8), await CompleteAsync(cluster.Http, "After the prefill pool is gone", 8));
        }
        finally
        {
            File.Delete(hangFile);
            output.WriteLine(cluster.Logs());
        }
    }

    [Fact]
    public async Task TheRoutersProcessThenAGatewayKilled_TheOtherGatewayKeepsServing_RoutingRebuiltFromHeartbeats()
    {
        using var cluster = await ClusterProcesses.StartAsync(redisPassword: false, "",
            ("gateway-a", "gateway"), ("gateway-b", "gateway"), ("mixed-a", "mixed"), ("mixed-b", "mixed"));
        await cluster.WaitForWorkersAsync(2, TimeSpan.FromSeconds(60));

        // The router logs each worker joining where it runs. Kill that process, then (if it was not one) a gateway:
        // one failure at a time, as the issue has them; the remaining gateway must keep serving after each.
        var routerHost = cluster.Processes.Single(p => p.Output.Any(l => l.Contains("joined as", StringComparison.Ordinal)));
        var survivor = routerHost.Name == "gateway-b" ? cluster["gateway-a"] : cluster["gateway-b"];
        var otherGateway = survivor.Name == "gateway-a" ? cluster["gateway-b"] : cluster["gateway-a"];
        output.WriteLine($"router on {routerHost.Name}; asking {survivor.Name}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{survivor.HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        Assert.Equal(Expected("Before", 8), await CompleteAsync(http, "Before", 8));

        await KillAndRecoverAsync(routerHost);
        if (!otherGateway.HasExited)
            await KillAndRecoverAsync(otherGateway);

        // The new router learned the surviving worker(s) from their heartbeats.
        var survivors = cluster.Processes.Count(p => p.Name.StartsWith("mixed", StringComparison.Ordinal) && !p.HasExited);
        var health = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
        Assert.Equal(survivors, health.GetProperty("workers").GetArrayLength());

        // Requests through the surviving gateway succeed again within seconds of the kill, with the right text.
        async Task KillAndRecoverAsync(ServingProcess victim)
        {
            victim.Kill();
            var clock = Stopwatch.StartNew();
            string? answer = null;
            while (answer is null)
            {
                try
                {
                    answer = await CompleteAsync(http, $"After {victim.Name}", 8);
                }
                catch (Exception e) when (clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {e.Message}");
                    await Task.Delay(250);
                }
            }
            output.WriteLine($"{victim.Name} killed: first answer {clock.Elapsed.TotalSeconds:0.0} s after");
            Assert.Equal(Expected($"After {victim.Name}", 8), answer);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"after killing {victim.Name}: took {clock.Elapsed}");
        }
    }

    [Fact]
    public async Task AGatewayKilledWithStreamsOpen_ItsWorkerStopsThem_AndFreesTheirKv()
    {
        // Tokens reach a gateway through its token sink (TokenStreams on the worker's silo): when the gateway is gone,
        // the worker finds out on its next delivery and stops that gateway's streams, rather than generating thousands
        // of tokens for nobody.
        using var cluster = await ClusterProcesses.StartAsync(redisPassword: false, "",
            ("gateway-a", "gateway"), ("gateway-b", "gateway"), ("mixed", "mixed"));
        await cluster.WaitForWorkersAsync(1, TimeSpan.FromSeconds(60));
        using var doomed = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster["gateway-a"].HttpPort}"), Timeout = TimeSpan.FromSeconds(120) };
        using var survivor = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster["gateway-b"].HttpPort}"), Timeout = TimeSpan.FromSeconds(60) };

        // Four streams long enough to run for half a minute at this machine's speed.
        var streams = Enumerable.Range(0, 4).Select(i => IgnoreFailure(StreamAsync(doomed, $"A long letter, part {i}:", 3500))).ToArray();
        await WaitForAsync(() => cluster["gateway-a"].Output.Count(l => l.Contains(": decode on ", StringComparison.Ordinal)) >= 4, "the streams to be assigned", cluster);
        await WaitForAsync(() => Blocks(survivor) is { } held && held.Free < held.Total, "the worker to hold their KV", cluster);
        var killed = Stopwatch.StartNew();
        cluster["gateway-a"].Kill();

        // The four streams alone would run 3,500 steps (over 14 s at 4 ms a step); their KV must be free well before.
        while (Blocks(survivor) is not { } now || now.Free < now.Total)
        {
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(10), $"KV still held {killed.Elapsed.TotalSeconds:0.0} s after the gateway was killed");
            await Task.Delay(200);
        }
        output.WriteLine($"KV free {killed.Elapsed.TotalSeconds:0.0} s after the gateway was killed");
        Assert.Contains(cluster["mixed"].Output, l => l.Contains("token sink could not be reached", StringComparison.Ordinal));
        await Task.WhenAll(streams);

        static async Task IgnoreFailure(Task<Outcome> stream)
        {
            try
            {
                await stream;
            }
            catch (Exception)
            {
                // The gateway it read from was killed.
            }
        }

        // The worker's free and total KV blocks from a gateway's /health; null while it cannot say (the router may be
        // moving off the killed gateway's silo, and /health answers 503 meanwhile).
        static (int Free, int Total)? Blocks(HttpClient http)
        {
            using var response = http.GetAsync("/health").GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                return null;
            var workers = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("workers");
            return workers.GetArrayLength() == 1
                ? (workers[0].GetProperty("free_kv_blocks").GetInt32(), workers[0].GetProperty("total_kv_blocks").GetInt32())
                : null;
        }
    }

    public void Dispose() => File.Delete(hangFile);

    sealed record Outcome(string Prompt, string Text, bool Done, string? Error, TimeSpan LongestGap);

    static async Task<Outcome> StreamAsync(HttpClient http, string prompt, int maxTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt, max_tokens = maxTokens, temperature = 0, ignore_eos = true, stream = true }),
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new CompletionEvents(reader);
        var text = "";
        string? error = null;
        var gap = Stopwatch.StartNew();
        var longest = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await foreach (var json in events.ReadAsync(timeout.Token))
        {
            longest = gap.Elapsed > longest ? gap.Elapsed : longest;
            gap.Restart();
            if (json.TryGetProperty("error", out var e))
                error = e.ToString();
            else
                text += json.GetProperty("choices")[0].GetProperty("text").GetString();
        }
        return new Outcome(prompt, text, events.Done, error, longest);
    }

    static async Task<string> CompleteAsync(HttpClient http, string prompt, int maxTokens)
    {
        using var response = await http.PostAsJsonAsync("/v1/completions", new { prompt, max_tokens = maxTokens, temperature = 0, ignore_eos = true });
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    static async Task WaitForAsync(Func<bool> condition, string what, ClusterProcesses cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"waited 30 s for {what}:{Environment.NewLine}{cluster.Logs()}");
            await Task.Delay(50);
        }
    }

    static async Task AssertNoKvHeldAsync(HttpClient http, int workers)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var health = "";
        while (DateTime.UtcNow < deadline)
        {
            health = await http.GetStringAsync("/health");
            var listed = JsonDocument.Parse(health).RootElement.GetProperty("workers").EnumerateArray().ToList();
            if (listed.Count == workers && listed.All(w => w.GetProperty("free_kv_blocks").GetInt32() == w.GetProperty("total_kv_blocks").GetInt32()))
                return;
            await Task.Delay(200);
        }
        Assert.Fail($"KV blocks still held: {health}");
    }

    string Expected(string prompt, int maxTokens)
    {
        var engine = reference.Engine;
        var output = engine.Generate([engine.Encode(prompt)], SamplingParams.Greedy(maxTokens) with { IgnoreEos = true })[0];
        return engine.Tokenizer!.Decode(output);
    }
}
