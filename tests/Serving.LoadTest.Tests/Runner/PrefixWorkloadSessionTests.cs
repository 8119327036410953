using System.Text.Json;
using Serving.LoadTest.Output;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Tests.Support;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Runner;

/// <summary>The multi-turn and shared-prefix workloads through a whole session against the fake server: what result.json and summary.md say.</summary>
[Collection(FakeServerCollection.Name)]
public sealed class PrefixWorkloadSessionTests(FakeServerFixture fixture) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("loadtest-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    LoadTestSettings Settings(string script, ApiKind api) => new()
    {
        Target = new TargetSettings { BaseUrl = fixture.Server.BaseUrl(script), Api = api },
        Workload = new WorkloadSettings { Output = LengthSpec.Of(LengthDistribution.Fixed, 4) },
        OutDir = folder,
        Progress = false,
        Plots = false,
        Seed = 7,
    };

    [Fact]
    public async Task MultiTurnRun_ReportsTheHitRateByTurnAndTheServersCounters()
    {
        var settings = Settings("prefix", ApiKind.Chat) with
        {
            MultiTurn = new MultiTurnSettings { Conversations = 2, Turns = 3, OpeningWords = 30, QuestionWords = 5 },
            Arrival = ArrivalMode.All,
        };

        var (result, extras) = await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Run, CancellationToken.None);

        var run = Assert.Single(result.Runs);
        Assert.Equal((6, 6), (run.Summary.Requests, run.Summary.Completed));
        Assert.Equal(6, result.Workload!.NumPrompts);
        var cache = extras.Runs[0].PrefixCache!;
        Assert.InRange(cache.HitRate!.Value, 0.45, 0.5); // the fake server caches half of every prompt, rounded down
        Assert.Equal((2, 4), (cache.FirstTurns!.Requests, cache.LaterTurns!.Requests));
        Assert.True(cache.LaterTurns.PromptTokens > 2 * cache.FirstTurns.PromptTokens); // later turns carry the history
        // The counters grew by the run's requests alone (the preflight came before the first scrape): 1,024 KV bytes and
        // two "prefix" and one "least_loaded" decisions each.
        var counters = extras.Runs[0].ServerCounters!;
        Assert.Equal((6 * 1024.0, 1024.0), (counters.KvTransferBytes, counters.KvTransferBytesPerRequest));
        Assert.Equal(new Dictionary<string, double> { ["prefix"] = 12, ["least_loaded"] = 6 }, counters.RouterDecisions);
        Assert.Null(counters.KvSavedBytes);

        var text = await File.ReadAllTextAsync(Path.Combine(folder, "result.json"));
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal(3, root.GetProperty("multi_turn").GetProperty("turns").GetInt32());
        var requests = root.GetProperty("runs")[0].GetProperty("requests");
        Assert.Equal([(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)],
            requests.EnumerateArray().Select(r => (r.GetProperty("conversation").GetInt32(), r.GetProperty("turn").GetInt32())));
        Assert.All(requests.EnumerateArray(), r => Assert.True(r.GetProperty("cached_tokens").GetInt32() > 0));
        var prefixCache = root.GetProperty("runs")[0].GetProperty("prefix_cache");
        Assert.Equal(cache.HitRate, prefixCache.GetProperty("hit_rate").GetDouble());
        Assert.Equal(cache.LaterTurns.TtftMedianMs, prefixCache.GetProperty("later_turns").GetProperty("ttft_median_ms").GetDouble());
        Assert.Equal(6144, root.GetProperty("runs")[0].GetProperty("server_counters").GetProperty("kv_transfer_bytes").GetDouble());
        Assert.False(root.GetProperty("runs")[0].GetProperty("server_counters").TryGetProperty("kv_saved_bytes", out _));
        // What `plot` reads back: the schema's result and the extras beside it.
        Assert.Equal(run.Requests[4], LoadTestResult.Parse(text).Runs[0].Requests[4] with { ItlsMs = run.Requests[4].ItlsMs });
        var reread = ResultJson.ReadExtras(text);
        Assert.Equal(cache with { FirstTurns = null, LaterTurns = null }, reread.Runs[0].PrefixCache! with { FirstTurns = null, LaterTurns = null });
        Assert.Equal(cache.LaterTurns, reread.Runs[0].PrefixCache!.LaterTurns);
        Assert.Equal(extras.Runs[0].Requests, reread.Runs[0].Requests);
        Assert.Equal(settings.MultiTurn, reread.MultiTurn);

        var summary = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"));
        Assert.Contains("- Multi-turn: 2 conversations of up to 3 turns", summary);
        Assert.Contains($"| Prefix cache hit rate (Σcached / Σprompt) | {100 * cache.HitRate:0.0}% |", summary);
        Assert.Contains("| TTFT mean / median, turns ≥ 2 (ms) |", summary);
        Assert.True(summary.Contains("| KV bytes moved (server) | 6.0 KiB, 1.0 KiB per request |", StringComparison.Ordinal), summary);
        Assert.Contains("| Router decisions by reason (server) | least_loaded 6, prefix 12 |", summary);
    }

    [Fact]
    public async Task SharedPrefixSweep_ReportsTheIdealHitRate_AndNoneFromAServerThatSendsNone()
    {
        var settings = Settings("prefixless", ApiKind.Completions) with
        {
            SharedPrefix = new SharedPrefixSettings { Groups = 2, PromptsPerGroup = 3, PrefixWords = 40, QuestionWords = 4 },
            SweepRates = [200, 200],
        };
        var before = fixture.Server.Exchanges("prefixless").Count;

        var (result, extras) = await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Sweep, CancellationToken.None);

        Assert.Equal(2, result.Runs.Count);
        Assert.All(result.Runs, r => Assert.Equal((6, 6), (r.Summary.Requests, r.Summary.Completed)));
        Assert.All(extras.Runs, x =>
        {
            Assert.Null(x.PrefixCache!.HitRate);
            Assert.Null(x.ServerCounters); // no /metrics
            Assert.True(x.PrefixCache.IdealHitRate > 0);
            Assert.Equal([0, 0, 0, 1, 1, 1], x.Requests.Select(t => t.Group!.Value).Order());
        });
        // Each run has prefixes of its own: the second run's are not in the cache the first one filled.
        var prompts = fixture.Server.Exchanges("prefixless").Skip(before).Select(e => e.Prompt.Split("\n\n")[0]).ToArray();
        Assert.Equal(1 + 2 * 2, prompts.Distinct().Count()); // the preflight's, then two per run
        var summary = await File.ReadAllTextAsync(Path.Combine(folder, "summary.md"));
        Assert.Contains("| Prefix cache hit rate (Σcached / Σprompt) | n/a (the server sent no cached_tokens) |", summary);
        Assert.Contains("| Ideal hit rate (each group's prefix after its first request) |", summary);
        Assert.Contains("- Shared prefix: 2 groups × 3 prompts", summary);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "result.json")));
        var request = json.RootElement.GetProperty("runs")[1].GetProperty("requests")[0];
        Assert.True(request.TryGetProperty("group", out _) && request.TryGetProperty("prefix_tokens", out _));
        Assert.False(request.TryGetProperty("cached_tokens", out _));
    }

    [Fact]
    public async Task PlainRun_WritesNoPrefixCacheReport()
    {
        var settings = Settings("fast", ApiKind.Completions) with { Workload = new WorkloadSettings { NumPrompts = 3, Input = LengthSpec.Of(LengthDistribution.Fixed, 8), Output = LengthSpec.Of(LengthDistribution.Fixed, 4) } };

        var (_, extras) = await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Run, CancellationToken.None);

        Assert.Null(extras.Runs[0].PrefixCache);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "result.json")));
        Assert.False(json.RootElement.GetProperty("runs")[0].TryGetProperty("prefix_cache", out _));
        Assert.False(json.RootElement.GetProperty("runs")[0].GetProperty("requests")[0].TryGetProperty("turn", out _));
        Assert.DoesNotContain("Prefix cache", await File.ReadAllTextAsync(Path.Combine(folder, "summary.md")));
    }
}
