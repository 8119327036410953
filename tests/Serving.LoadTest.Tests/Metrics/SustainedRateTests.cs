using Serving.LoadTest.Metrics;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Metrics;

/// <summary>A run's kept-up figures: offered and achieved rate over the same successful requests, the TTFT thirds.</summary>
public sealed class SustainedRateTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static RequestResult Done(int i, double scheduledS, double ttftMs, double e2elMs, double lagS = 0) =>
        new() { Index = i, ScheduledS = scheduledS, SentS = scheduledS + lagS, Success = true, TtftMs = ttftMs, E2elMs = e2elMs, OutputTokens = 2 };

    [Fact]
    public void AServerThatKeepsUp_WithLatenciesThatVaryALot_AchievesTheOfferedRate()
    {
        // 5 req/s for 20 s; each answered in 0.2–4 s, varying by request, with no queue: the first to finish is a short
        // one and the last a long one, which over the span of completions read as 0.84 of the rate. Latency does not drift.
        var random = new Random(3);
        var results = Enumerable.Range(0, 100).Select(i => Done(i, i * 0.2, 50, 200 + 3800 * random.NextDouble())).ToList();

        var kept = SustainedRate.Judge(results);

        Assert.Equal(5, kept.OfferedRate, 6);
        output.WriteLine($"achieved {kept.AchievedRate:0.###} of {kept.OfferedRate}");
        Assert.InRange(kept.AchievedRate / kept.OfferedRate, 0.95, 1.05);
        Assert.True(kept.Passed);
    }

    [Fact]
    public void AServerThatFallsBehind_CompletesAtItsCapacity()
    {
        // 40 requests offered within 2.5 s to a server finishing one every 0.25 s (4 req/s): a queue builds and drains.
        var results = Enumerable.Range(0, 40).Select(i => Done(i, i * 0.0625, 50 + 1000 * (0.25 * (i + 1) - i * 0.0625), 1000 * (0.25 * (i + 1) - i * 0.0625))).ToList();

        var kept = SustainedRate.Judge(results);

        Assert.Equal(16, kept.OfferedRate, 6);
        Assert.Equal(4, kept.AchievedRate, 6);
        Assert.False(kept.Achieved);
        Assert.True(kept.QueueGrew);
    }

    [Fact]
    public void FailedRequests_AreLeftOutOfBothRates_AndTheThirds()
    {
        // Every third request fails: attainment counts that; the kept-up rates are over the same completed requests.
        var results = Enumerable.Range(0, 60).Select(i => i % 3 == 0
            ? new RequestResult { Index = i, ScheduledS = i * 0.1, SentS = i * 0.1, Success = false }
            : Done(i, i * 0.1, 40, 300)).ToList();

        var kept = SustainedRate.Judge(results);

        Assert.InRange(kept.AchievedRate / kept.OfferedRate, 0.99, 1.01);
        Assert.Equal((0.04, 0.04), (kept.TtftFirstThird, kept.TtftLastThird));
        Assert.Equal(0.26, kept.QueueAllowance, 6); // the first third's generation time, 300 − 40 ms
    }

    [Fact]
    public void RequestsHeldBackByTheClientsConcurrencyCap_AreOfferedAtTheirSchedule()
    {
        // Offered at 10 req/s, but a cap let them out only at 4 req/s: the system with the cap did not keep up.
        var results = Enumerable.Range(0, 40).Select(i => Done(i, i * 0.1, 40, 200, lagS: i * 0.25 - i * 0.1)).ToList();

        var kept = SustainedRate.Judge(results);

        Assert.Equal(10, kept.OfferedRate, 6);
        Assert.Equal(4, kept.AchievedRate, 6);
        Assert.False(kept.Achieved);
    }
}
