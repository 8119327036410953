using System.Diagnostics;
using Serving.LoadTest.Arrivals;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Tests.Support;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Runner;

[Collection(FakeServerCollection.Name)]
public sealed class LoadRunnerTests(FakeServerFixture fixture)
{
    FakeOpenAiServer Server => fixture.Server;

    static Task<RunOutcome> Run(Uri baseUrl, RunPlan plan, CancellationToken ct = default, double timeoutS = 30) =>
        new LoadRunner(Harness.Client(baseUrl, timeoutS: timeoutS)).RunAsync(plan, null, ct);

    [Fact]
    public async Task RunAsync_SteadyScript_SummaryMatchesScriptedTimings()
    {
        // The first run in a process pays for JIT and the first connection (requests sent up to 0.6 s late): the
        // scripted timings are checked on a warm one.
        await Run(Server.BaseUrl("steady"), new RunPlan(Harness.Requests(2, outputTokens: 2), ArrivalSchedule.Poisson(2, 20, 1, new Random(2)), null, 20));
        var requests = Harness.Requests(12, outputTokens: 16);
        var plan = new RunPlan(requests, ArrivalSchedule.Poisson(12, 20, 1, new Random(1)), null, 20);
        var outcome = await Run(Server.BaseUrl("steady"), plan);
        var s = SummaryCalculator.Summarize(outcome.Results, outcome.DurationS, new Slo(120, 30, null), [50, 99]);

        Assert.Equal((12, 0), (s.Completed, s.Failed));
        Assert.Equal(12 * 16, s.TotalOutputTokens);
        Assert.Equal(12 * 15, s.ItlMs.Count);
        // Scripted TTFT 50 ms, ITL 20 ms. Tolerances for a shared, noisy 2-core machine: timers fire late, never
        // early, so medians sit in [script − 1 ms, script + 25 ms]; TPOT averages 15 gaps between absolute
        // deadlines, so a late first or last token moves it by at most 25/15 ms.
        Assert.InRange(s.TtftMs.Median, 49, 75);
        Assert.InRange(s.TpotMs.Median, 18, 23);
        Assert.InRange(s.ItlMs.Median, 18, 25);
        Assert.InRange(s.E2elMs.Median, 349, 400);
        // Every request meets TTFT ≤ 120 and TPOT ≤ 30 unless the machine stalls for > 70 ms.
        Assert.True(s.SloAttainment >= 0.9, $"attainment {s.SloAttainment}");
        Assert.Equal(s.Goodput, Math.Round(s.SloAttainment * 12 / outcome.DurationS, 4), 3);
        // The schedule ends at 12 / 20 = 0.6 s; the run lasts until the last request is done.
        Assert.InRange(outcome.DurationS, 0.6 + 0.35, 3);
        Assert.All(outcome.Results, r => Assert.InRange(r.SentS!.Value - r.ScheduledS, 0, 0.1));
    }

    [Fact]
    public async Task RunAsync_MixedFailures_CountedByReasonNoneDropped()
    {
        var requests = Harness.Requests(12, outputTokens: 6);
        var outcome = await Run(Server.BaseUrl("mixed"), new RunPlan(requests, ArrivalSchedule.AllAtOnce(12), null, null));
        var s = SummaryCalculator.Summarize(outcome.Results, outcome.DurationS, Slo.None, [99]);

        Assert.Equal(12, outcome.Results.Count);
        Assert.Equal(Enumerable.Range(0, 12), outcome.Results.Select(r => r.Index));
        // The server answers request k in mode k mod 6: two of each failure, four successes.
        Assert.Equal(4, s.Completed);
        Assert.Equal(new Dictionary<string, int>
        {
            ["http_500"] = 2, ["incomplete_stream"] = 2, ["malformed_stream"] = 2, ["stream_error"] = 2,
        }, s.FailuresByReason);
        Assert.Contains(outcome.Results, r => r.Failure == FailureKind.StreamError && r.Error == "scripted stream failure");
        Assert.Contains(outcome.Results, r => r.Failure == FailureKind.HttpStatus && r.HttpStatus == 500 && r.Error!.Contains("scripted failure"));
    }

    [Fact]
    public async Task RunAsync_StoppedMidRun_InFlightAndUnsentCountedAsCancelled()
    {
        var requests = Harness.Requests(10, outputTokens: 8);
        // Five due at once, five more 10 s later: the stop comes between them.
        double[] arrivals = [0, 0, 0, 0, 0, 10, 10, 10, 10, 10];
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var clock = Stopwatch.StartNew();
        var outcome = await Run(Server.BaseUrl("hang"), new RunPlan(requests, arrivals, null, null), stop.Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the run did not stop promptly");
        Assert.Equal(10, outcome.Results.Count);
        Assert.All(outcome.Results, r => Assert.Equal(FailureKind.Cancelled, r.Failure));
        Assert.Equal(5, outcome.Results.Count(r => r.SentS is null));
        var s = SummaryCalculator.Summarize(outcome.Results, outcome.DurationS, Slo.None, [99]);
        Assert.Equal(new Dictionary<string, int> { ["cancelled"] = 10 }, s.FailuresByReason);
    }

    [Fact]
    public async Task RunAsync_MaxConcurrency_NeverMoreInFlight()
    {
        var requests = Harness.Requests(9, outputTokens: 4);
        var observer = new InFlightObserver();
        var plan = new RunPlan(requests, ArrivalSchedule.AllAtOnce(9), 3, null);
        var outcome = await new LoadRunner(Harness.Client(Server.BaseUrl("fast"))).RunAsync(plan, observer, CancellationToken.None);
        Assert.All(outcome.Results, r => Assert.True(r.Success, r.Error));
        Assert.Equal(3, observer.Peak);
        // Lag counts from when a slot freed, not from time zero.
        Assert.All(outcome.Results, r => Assert.True(r.LagMs < 100, $"lag {r.LagMs} ms"));
    }

    sealed class InFlightObserver : IRunObserver
    {
        int now;
        public int Peak { get; private set; }

        public void OnSent(int index)
        {
            var n = Interlocked.Increment(ref now);
            lock (this)
                Peak = Math.Max(Peak, n);
        }

        public void OnCompleted(RequestResult result) => Interlocked.Decrement(ref now);
    }
}
