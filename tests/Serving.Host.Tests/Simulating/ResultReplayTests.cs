using Serving.Host.Simulating;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Output;
using Serving.Planning.Simulation;
using LoadTests = Serving.Planning.LoadTests;

namespace Serving.Host.Tests.Simulating;

public sealed class ResultReplayTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("replay-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Read_AResultTheLoadTesterWrote_ReplaysTheSameRunsAndRequests()
    {
        var slo = new LoadTests.Slo(500, 40, null);
        LoadTests.RequestResult[] slow =
        [
            new() { Index = 0, ScheduledS = 0, SentS = 0.002, Success = true, TtftMs = 120, E2elMs = 400, ItlsMs = [40, 41.5, 38], PromptTokens = 90, OutputTokens = 8 },
            new() { Index = 1, ScheduledS = 0.5, SentS = 0.501, Success = false, Failure = LoadTests.FailureKind.HttpStatus, HttpStatus = 503, PromptTokens = 130, OutputTokens = 0 },
            new() { Index = 2, ScheduledS = 1.0, SentS = 0.999, Success = true, TtftMs = 95.5, E2elMs = 300, ItlsMs = [30], PromptTokens = 64, OutputTokens = 6 },
        ];
        LoadTests.RequestResult[] fast =
        [
            // Sent out of index order, and one never sent: the replay orders them by when they went out.
            new() { Index = 0, ScheduledS = 0.2, SentS = 0.25, Success = true, TtftMs = 80, E2elMs = 200, ItlsMs = [20], PromptTokens = 100, OutputTokens = 8 },
            new() { Index = 1, ScheduledS = 0.1, SentS = 0.1, Success = true, TtftMs = 70, E2elMs = 70, PromptTokens = 110, OutputTokens = 1 },
            new() { Index = 2, ScheduledS = 0.15, Success = false, Failure = LoadTests.FailureKind.Cancelled, PromptTokens = 120 },
        ];
        var written = new LoadTests.LoadTestResult
        {
            Mode = "sweep",
            StartedUtc = "2026-01-01T00:00:00Z",
            Target = new LoadTests.TargetSettings { BaseUrl = new Uri("http://127.0.0.1:8000/"), Model = "m" },
            Workload = new LoadTests.WorkloadSettings
            {
                Input = LoadTests.LengthSpec.Of(LoadTests.LengthDistribution.Uniform, 100),
                Output = LoadTests.LengthSpec.Of(LoadTests.LengthDistribution.LogNormal, 8, sigma: 0.7),
            },
            Slo = slo,
            Percentiles = [90, 99],
            Runs = [Run(1, slow, slo), Run(4, fast, slo)],
        };

        ResultFolder.Write(folder, written, plots: false);
        var replay = ResultReplay.Read(Path.Combine(folder, "result.json"));

        Assert.Equal(new Slo(0.5, 0.04), replay.Slo);
        Assert.Equal(new WorkloadSpec(new UniformLength(50, 150), new LogNormalLength(8 / Math.Exp(0.7 * 0.7 / 2), 0.7, 1, 32)), replay.Workload);
        Assert.Equal([1.0, 4.0], replay.Runs.Select(r => r.Rate));
        foreach (var (run, requests) in replay.Runs.Zip([slow, fast]))
        {
            var sent = requests.OrderBy(r => r.SentS ?? r.ScheduledS).ToArray();
            Assert.Equal(sent.Select(r => r.SentS ?? r.ScheduledS), run.Requests.Select(r => r.ArrivalTime));
            Assert.Equal(sent.Select(r => r.PromptTokens), run.Requests.Select(r => r.PromptTokens));
            Assert.Equal(sent.Select(r => r.Success), run.Measured!.Select(m => m.Completed));
            Assert.Equal(sent.Where(r => r.Success).Select(r => r.OutputTokens), run.Requests.Where((_, i) => sent[i].Success).Select(r => r.OutputTokens));
            Assert.Equal(sent.Where(r => r.Success).Select(r => r.TtftMs / 1000), run.Measured!.Where(m => m.Completed).Select(m => m.Ttft));
            Assert.Equal(sent.Where(r => r.Success).Select(r => r.ItlsMs.DefaultIfEmpty(0).Max() / 1000), run.Measured!.Where(m => m.Completed).Select(m => m.MaxItl));
        }
        // A failed request is replayed with the output the successful ones of its run got (their median of 8 and 6).
        Assert.Equal(7, replay.Runs[0].Requests[1].OutputTokens);
    }

    private static LoadTests.RunRecord Run(double rate, LoadTests.RequestResult[] requests, LoadTests.Slo slo) =>
        new(rate, SummaryCalculator.Summarize(requests, 1.5, slo, [90, 99]), new LoadTests.ClientOverhead(0.1, 0.1, 0.2, 0.3, 0.01, 0.2, 2), 1.25, requests);
}
