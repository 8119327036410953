using Serving.LoadTest.Soak;
using Serving.LoadTest.Soak.Checks;
using Serving.LoadTest.Soak.Faults;
using Serving.LoadTest.Tests.Support;

namespace Serving.LoadTest.Tests.Soak;

public sealed class LogVerdictTests
{
    [Theory]
    [InlineData("19:10:50 fail: Serving.Gateway[1] => request x Request failed unexpectedly.", true)]
    [InlineData("crit: Microsoft.Hosting.Lifetime[0] host crashed", true)]
    [InlineData("Unhandled exception. System.InvalidOperationException: boom", true)]
    [InlineData("error: --model /nope does not exist", true)]
    [InlineData("19:10:51 info: Serving.Worker.decode-0[371177616] decode-0: request cmpl-1 aborted; its KV blocks are free.", false)]
    [InlineData("19:10:51 warn: Orleans.Runtime.MembershipService[100] failed to refresh", false)]
    [InlineData("  the word fail: inside a message", false)]
    public void IsError_ConsoleLoggerLevels(string line, bool error)
    {
        Assert.Equal(error, LogBook.IsError(line));
    }

    [Fact]
    public void Of_ErrorsDuringAFaultOrItsGrace_AreExplained_OthersFail()
    {
        var time = new ManualTime();
        var log = new LogBook(new SoakClock(time));
        void At(double s, string line)
        {
            time.Set(TimeSpan.FromSeconds(s));
            log.Add("gateway", line);
        }
        At(5, "12:00:05 info: fine");
        At(10, "12:00:10 fail: before any fault");
        At(21, "12:00:21 fail: the decode worker is gone");
        At(55, "12:00:55 fail: still reconnecting");
        At(80, "12:01:20 fail: long after");
        var kill = new FaultRecord("kill", "decode-0", 20, 40, true, "SIGKILL");

        var verdict = LogVerdict.Of(log, [kill], TimeSpan.FromSeconds(30));

        Assert.Equal((5L, 4L, 2), (verdict.Lines, verdict.ErrorLines, verdict.Attributed));
        Assert.Equal([10.0, 80.0], verdict.Unattributed.Select(l => l.AtS));
        var check = verdict.Check(captured: true);
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Contains("before any fault", check.Detail);
    }

    [Fact]
    public void Check_LogsNotVisible_IsSkipped()
    {
        var verdict = LogVerdict.Of(new LogBook(SoakClock.StartNow()), [], TimeSpan.Zero);

        Assert.Equal(CheckStatus.Skipped, verdict.Check(captured: false).Status);
        Assert.Equal(CheckStatus.Pass, verdict.Check(captured: true).Status);
    }
}
