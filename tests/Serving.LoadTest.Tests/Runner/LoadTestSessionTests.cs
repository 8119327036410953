using System.Text.Json;
using Serving.LoadTest.Arrivals;
using Serving.LoadTest.Client;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Output;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Search;
using Serving.LoadTest.Tests.Support;
using Serving.LoadTest.Workloads;

namespace Serving.LoadTest.Tests.Runner;

[Collection(FakeServerCollection.Name)]
public sealed class LoadTestSessionTests(FakeServerFixture fixture) : IDisposable
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
        var result = await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Sweep, CancellationToken.None);

        Assert.Equal(FakeOpenAiServer.Model, result.Target.Model); // from /v1/models
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
        var reread = ResultFile.Read(Path.Combine(folder, "result.json")); // what `plot` reads back
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
            Search = new SearchSettings { StartRate = 20, Tolerance = 0.25, MaxProbes = 6, Workers = 2 },
        };
        var result = await new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Search, CancellationToken.None);
        var search = result.Search!;
        Assert.True(search.Goodput > 0, "no rate passed");
        Assert.NotNull(search.LowestFailing);
        Assert.Contains(search.Probes, p => p.Passed && p.Rate == search.Goodput);
        Assert.Equal(search.Goodput / 2, search.GoodputPerWorker, 3);
        Assert.Equal(search.Probes.Count, result.Runs.Count);
        Assert.True(File.Exists(Path.Combine(folder, "attainment-vs-rate.png")));
    }

    [Fact]
    public async Task ExecuteAsync_ConfigurationThatFails_StopsAtThePreflight()
    {
        var settings = Settings("malformed", 5) with { Target = new TargetSettings { BaseUrl = fixture.Server.BaseUrl("malformed") }, Arrival = ArrivalMode.All };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new LoadTestSession(settings).ExecuteAsync(LoadTestMode.Run, CancellationToken.None));
        Assert.Contains("malformed_stream", e.Message);
    }
}
