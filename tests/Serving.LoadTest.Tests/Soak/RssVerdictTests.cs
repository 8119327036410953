using Serving.LoadTest.Soak.Checks;

namespace Serving.LoadTest.Tests.Soak;

public sealed class RssVerdictTests
{
    const long Mb = 1024 * 1024;

    /// <summary>A sample every 2 s from <paramref name="from"/> to <paramref name="to"/>, RSS given by <paramref name="mb"/>(t).</summary>
    static RssSeries Series(double startedS, double from, double to, Func<double, double> mb)
    {
        var series = new RssSeries("serving", 42, startedS);
        for (var t = from; t <= to; t += 2)
            series.Add(t, (long)(mb(t) * Mb));
        return series;
    }

    [Fact]
    public void Of_SteadyGrowthAfterWarmUp_MeasuresGrowthBetweenWindowsAndTheSlope()
    {
        // 1000 MB at warm-up end (t = 100), +1 MB per 10 s to the end of the load (t = 1100): window 100 s.
        var verdict = RssVerdict.Of(Series(0, 0, 1100, t => t < 100 ? 500 + 5 * t : 1000 + (t - 100) / 10), 100, 1100);

        Assert.True(verdict.Judged);
        // Means of [100, 200] and [1000, 1100]: 1005 and 1095 MB.
        Assert.Equal(1005, verdict.BaselineMb, 0);
        Assert.Equal(1095, verdict.FinalMb, 0);
        Assert.Equal(8.96, verdict.GrowthPercent, 1);
        Assert.Equal(360, verdict.SlopeMbPerHour, 0);
        Assert.Equal(1100, verdict.PeakMb, 0);
    }

    [Fact]
    public void Of_AProcessStartedAfterWarmUp_IsReportedButNotJudged()
    {
        var verdict = RssVerdict.Of(Series(300, 300, 1100, _ => 400), 100, 1100);

        Assert.False(verdict.Judged);
        Assert.Contains("a restart", verdict.Note);
    }

    [Fact]
    public void Check_GrowthOverTheLimit_Fails()
    {
        var growing = RssVerdict.Of(Series(0, 0, 200, t => 1000 + 2 * t), 20, 200);
        var steady = RssVerdict.Of(Series(0, 0, 200, _ => 1000), 20, 200);

        Assert.Equal(CheckStatus.Pass, RssVerdict.Check([steady], 10, null).Status);
        var check = RssVerdict.Check([steady, growing], 10, null);
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("grew 10% or more", check.Detail);
    }

    [Fact]
    public void Check_NoProcessToRead_IsSkippedWithTheReason()
    {
        var check = RssVerdict.Check([], 10, "give --server-pid PID");

        Assert.Equal((CheckStatus.Skipped, "give --server-pid PID"), (check.Status, check.Detail));
    }
}
