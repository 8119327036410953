using System.Text.Json;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Search;
using Serving.LoadTest.Tests.Support;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Runner;

[Collection(FakeServerCollection.Name)]
public sealed class LoadTestSessionTests(FakeServerFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("loadtest-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    LoadTestSettings Settings(string script, int prompts) => new()
    {
        Target = new TargetSettings { BaseUrl = fixture.Server.BaseUrl(script), Api = ApiKind.Chat },
        Workload = new WorkloadSettings { NumPrompts = prompts, Input = LengthSpec.Of(LengthDistribution.Uniform, 20), Output = LengthSpec.Of(LengthDistribution.Fixed, 6) },
        Slo = new Slo(60, 20, null),
        OutDir = folder,
        Progress = false,
        Seed = 3,
    };

    [Fact]
    public async Task ExecuteAsync_Sweep_WritesResultSummaryAndPlots()
    {
        var settings = Settings("fast", 12) with { SweepRates = [20, 40] };
        var result = (await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Sweep, CancellationToken.None)).Result;

        Assert.Equal(FakeOpenAiServer.Model, result.Target!.Model); // from /v1/models
        Assert.True(result.PromptsFromServerTokenizer); // the fake server has /tokenize
        Assert.Equal([20.0, 40.0], result.Runs.Select(r => r.Rate));
        Assert.All(result.Runs, r => Assert.Equal(12, r.Summary.Completed));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "result.json")));
        var root = json.RootElement;
        Assert.Equal("sweep", root.GetProperty("mode").GetString());
        Assert.Equal(12, root.GetProperty("runs")[1].GetProperty("requests").GetArrayLength());
        Assert.True(root.GetProperty("runs")[0].GetProperty("requests")[0].GetProperty("itls_ms").GetArrayLength() == 5);
        Assert.Equal(3, root.GetProperty("seed").GetInt32());
        Assert.Contains("## Overview", await File.ReadAllTextAsync(Path.Combine(folder, "summary.md")));
        var reread = LoadTestResult.Read(Path.Combine(folder, "result.json")); // what `plot` reads back
        Assert.Equal(result.Runs[1].Summary.TtftMs, reread.Runs[1].Summary.TtftMs with { Percentiles = result.Runs[1].Summary.TtftMs.Percentiles });
        Assert.Equal(result.Runs[1].Summary.TtftMs.Percentiles, reread.Runs[1].Summary.TtftMs.Percentiles);
        Assert.Equal(result.Runs[0].Requests[3], reread.Runs[0].Requests[3] with { ItlsMs = result.Runs[0].Requests[3].ItlsMs });
        foreach (var png in new[] { "ttft-cdf.png", "tpot-cdf.png", "latency-over-time.png", "attainment-vs-rate.png" })
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(folder, png));
            Assert.True(bytes.Length > 2000, $"{png} is {bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
    }

    [Fact]
    public async Task ExecuteAsync_SearchOnServerSlowingWithLoad_FindsARateThatMeetsTheTarget()
    {
        // TTFT = 10 ms + 12 ms per other request in flight, 6 tokens 4 ms apart: each request lasts ≈ 30–60 ms, so
        // TTFT ≤ 60 ms holds while about four or fewer are in flight. Attainment falls as the rate rises; the
        // search must bracket the target and return a rate it measured as passing.
        var settings = Settings("loaded", 40) with
        {
            Target = new TargetSettings { BaseUrl = fixture.Server.BaseUrl("loaded") },
            Search = new SearchSettings { StartRate = 20, Tolerance = 0.25, MaxProbes = 6, Workers = 2, ProbeSeconds = 1.5, MinProbeRequests = 20 },
            Warmups = 2,
        };
        var result = (await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Search, CancellationToken.None)).Result;
        var search = result.Search!;
        Assert.True(search.Goodput > 0, "no rate passed");
        Assert.NotNull(search.LowestFailing);
        var best = Assert.Single(search.Probes, p => p.Passed && p.Rate == search.Offered);
        Assert.True(search.Goodput <= best.Achieved && search.Goodput <= best.Rate);
        Assert.Equal(search.Goodput / 2, search.GoodputPerWorker, 3);
        Assert.Equal(search.Probes.Count, result.Runs.Count);
        // Each probe lasts its 1.5 s of arrivals: at least 20 requests, more at higher rates.
        Assert.All(result.Runs, r => Assert.Equal(Math.Max(20, (int)Math.Ceiling(r.Rate!.Value * 1.5)), r.Summary.Requests));
        Assert.Equal(2, result.Warmups);
        Assert.True(File.Exists(Path.Combine(folder, "attainment-vs-rate.png")));
        Assert.True(File.Exists(Path.Combine(folder, "achieved-vs-offered.png")));
        Assert.Contains("| probe | offered (req/s) | achieved (req/s) | attainment | verdict |", await File.ReadAllTextAsync(Path.Combine(folder, "summary.md")));
    }

    // The issue's scripted server: at most K streams at once, 100 ms to the first token, then 19 tokens 20 ms apart.
    const double CappedCapacity = 4 / 0.48;
    const double Capped16Capacity = 16 / 0.48;

    LoadTestSettings Capped(string script, int prompts) => Settings(script, prompts) with
    {
        Target = new TargetSettings { BaseUrl = fixture.Server.BaseUrl(script) },
        Workload = new WorkloadSettings { NumPrompts = prompts, Input = LengthSpec.Of(LengthDistribution.Fixed, 8), Output = LengthSpec.Of(LengthDistribution.Fixed, 20) },
        // Loose: the search must find the capacity by what the server kept up with, not by latency. (TPOT 30 ms, the
        // issue's, leaves the scripted 20 ms gaps 10 ms of timer jitter: on a busy 2-core machine a late last token
        // failed it at a quarter of the capacity.)
        Slo = new Slo(3000, 60, null),
    };

    [Fact]
    public async Task ExecuteAsync_SearchOnAServerOfKnownCapacity_FindsItWithinTheTolerance_AndNeverMore()
    {
        var settings = Capped("capped16", 40) with
        {
            Search = new SearchSettings { StartRate = 8, Tolerance = 0.2, MaxProbes = 7, ProbeSeconds = 4, MinProbeRequests = 40 },
            Warmups = 4,
        };

        var search = (await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Search, CancellationToken.None)).Result.Search!;

        var probes = string.Join("; ", search.Probes.Select(p => $"{p.Rate:0.##} → {p.Achieved:0.##} {(p.Passed ? "pass" : string.Join(", ", p.Misses))}"));
        output.WriteLine($"goodput {search.Goodput:0.##} of {Capped16Capacity:0.##} req/s: {probes}");
        Assert.True(search.Goodput <= Capped16Capacity, $"goodput {search.Goodput} above the capacity {Capped16Capacity:0.##}: {probes}");
        Assert.True(search.Goodput >= Capped16Capacity * (1 - 0.2) * (1 - 0.2), $"goodput {search.Goodput} far below the capacity {Capped16Capacity:0.##}: {probes}");
        Assert.All(search.Probes.Where(p => p.Rate > Capped16Capacity * 1.05), p => Assert.False(p.Passed, probes));
    }

    [Fact]
    public async Task AShortBurstAboveCapacity_MeetsLooseSlos_ButFailsAsNotKeptUp()
    {
        // What the old search accepted: 40 requests at 16 req/s are drained within loose SLOs by a server that sustains
        // 8.3 req/s, so attainment is 100% — yet it achieved about half the offered rate.
        var settings = Capped("capped", 40) with { Rate = 16, SkipPreflight = true, Slo = new Slo(10_000, 50, null) };

        var run = (await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Run, CancellationToken.None)).Result.Runs.Single();
        var verdict = ProbeVerdict.Of(16, run.Summary, new SearchSettings());

        Assert.True(run.Summary.SloAttainment >= 0.9, $"attainment {run.Summary.SloAttainment}");
        Assert.False(verdict.Passed);
        Assert.Contains(verdict.Misses, m => m.StartsWith("achieved", StringComparison.Ordinal));
        Assert.InRange(run.Summary.AchievedRate, CappedCapacity * 0.85, CappedCapacity * 1.1);
    }

    [Fact]
    public async Task ExecuteAsync_ConfigurationThatFails_StopsAtThePreflight()
    {
        var settings = Settings("malformed", 5) with { Target = new TargetSettings { BaseUrl = fixture.Server.BaseUrl("malformed") }, Arrival = ArrivalMode.All };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Run, CancellationToken.None));
        Assert.Contains("malformed_stream", e.Message);
    }
}
