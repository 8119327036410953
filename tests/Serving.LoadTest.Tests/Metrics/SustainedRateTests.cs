using Serving.LoadTest.Metrics;

namespace Serving.LoadTest.Tests.Metrics;

public sealed class SustainedRateTests
{
    static RequestResult Done(int i, double sentS, double ttftMs, double e2elMs) =>
        new() { Index = i, SentS = sentS, Success = true, TtftMs = ttftMs, E2elMs = e2elMs, OutputTokens = 2 };

    [Fact]
    public void Achieved_AServerThatKeepsUp_CompletesAtTheOfferedRate()
    {
        // 10 req/s for 3 s, each answered in 200 ms: completions follow arrivals, 0.1 s apart.
        var results = Enumerable.Range(0, 30).Select(i => Done(i, i * 0.1, 50, 200)).ToList();

        Assert.Equal(10, SustainedRate.Achieved(results), 6);
    }

    [Fact]
    public void Achieved_AServerThatFallsBehind_CompletesAtItsCapacity()
    {
        // 40 requests sent within 2.5 s to a server finishing one every 0.25 s (4 req/s): a queue builds and drains.
        var results = Enumerable.Range(0, 40).Select(i => Done(i, i * 0.0625, 50, 1000 * (0.25 * (i + 1) - i * 0.0625))).ToList();

        Assert.Equal(4, SustainedRate.Achieved(results), 6);
        var (first, last) = SustainedRate.TtftThirds(results);
        Assert.Equal(50, first);
        Assert.Equal(50, last); // TTFT here is scripted; Achieved alone catches this server
    }

    [Fact]
    public void TtftThirds_AreTheMediansOfTheFirstAndLastThirdBySendTime_FailuresLeftOut()
    {
        var results = new List<RequestResult>
        {
            Done(0, 0.0, 10, 100), Done(1, 0.1, 30, 100), Done(2, 0.2, 20, 100),
            Done(3, 0.3, 99, 100), Done(4, 0.4, 99, 100), Done(5, 0.5, 99, 100),
            Done(6, 0.6, 300, 100), Done(7, 0.7, 100, 100), Done(8, 0.8, 200, 100),
            new() { Index = 9, SentS = 0.9, Success = false },
        };

        Assert.Equal((20.0, 200.0), SustainedRate.TtftThirds(results));
        Assert.Equal(0, SustainedRate.Achieved(results.Take(1).ToList()));
    }
}
