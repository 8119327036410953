using Serving.LoadTest.Metrics;
using Serving.LoadTest.Search;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Search;

/// <summary>A probe passes only when the server kept up: attainment, achieved vs offered rate, and no growing queue.</summary>
public sealed class ProbeVerdictTests
{
    static RunSummary Run(double attainment, double achieved, double firstThirdMs, double lastThirdMs) =>
        SummaryCalculator.Summarize([], 1, Slo.None, [50]) with
        {
            SloAttainment = attainment,
            AchievedRate = achieved,
            TtftFirstThirdMs = firstThirdMs,
            TtftLastThirdMs = lastThirdMs,
        };

    [Fact]
    public void Of_AServerThatKeptUp_Passes()
    {
        var verdict = ProbeVerdict.Of(10, Run(0.95, 9.6, 100, 140), new SearchSettings());

        Assert.True(verdict.Passed, string.Join("; ", verdict.Misses));
    }

    [Theory]
    [InlineData(0.85, 10.0, 100, 100, "attainment 85% < 90%")]
    [InlineData(1.0, 6.73, 100, 100, "achieved 6.73 < 95% of the 10 req/s sent")]
    [InlineData(1.0, 10.0, 100, 300, "queue grew: TTFT p50 100 → 300 ms")]
    public void Of_EachWayOfNotKeepingUp_FailsAndSaysWhich(double attainment, double achieved, double first, double last, string miss)
    {
        var verdict = ProbeVerdict.Of(10, Run(attainment, achieved, first, last), new SearchSettings());

        Assert.False(verdict.Passed);
        Assert.Equal([miss], verdict.Misses);
    }

    [Fact]
    public void Of_TheAchievedRate_IsJudgedAgainstTheRateTheRequestsWereSentAt()
    {
        // A Poisson sample of 10 req/s that came out at 9 req/s: completing at 8.8 kept up with what was sent.
        var run = Run(1, 8.8, 100, 100) with { SentRate = 9 };

        Assert.True(ProbeVerdict.Of(10, run, new SearchSettings()).Passed);
        Assert.Equal(["achieved 8.8 < 95% of the 9.5 req/s sent"], ProbeVerdict.Of(10, run with { SentRate = 9.5 }, new SearchSettings()).Misses);
    }

    [Fact]
    public void Of_TtftNoiseWithinTheAllowance_IsNoQueue()
    {
        // 20 → 75 ms is 3.75× but within 1.5 × 20 + 50 ms: a small absolute wobble, not a queue.
        Assert.True(ProbeVerdict.Of(10, Run(1, 10, 20, 75), new SearchSettings()).Passed);
    }
}
