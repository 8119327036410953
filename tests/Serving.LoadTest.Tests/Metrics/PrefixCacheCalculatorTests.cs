using Serving.LoadTest.Metrics;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Metrics;

public sealed class PrefixCacheCalculatorTests
{
    static RequestResult Ok(int index, int prompt, double ttftMs = 10, double sentS = 0) =>
        new() { Index = index, Success = true, PromptTokens = prompt, TtftMs = ttftMs, E2elMs = ttftMs + 50, SentS = sentS, OutputTokens = 8 };

    [Fact]
    public void Summarize_CachedTokensReported_HitRateIsTheirSumOverThePromptTokens()
    {
        RequestResult[] results = [Ok(0, 100), Ok(1, 300), new() { Index = 2, Failure = FailureKind.Timeout, PromptTokens = 500 }];
        RequestTag[] tags = [new(CachedTokens: 0), new(CachedTokens: 200), new(CachedTokens: 500)];

        var s = PrefixCacheCalculator.Summarize(results, tags)!;

        Assert.Equal((400L, 2, 200L, 0.5), (s.PromptTokens, s.RequestsReporting, s.CachedTokens, s.HitRate)); // the failed request is left out
        Assert.Null(s.FirstTurns);
        Assert.Null(s.IdealHitRate);
    }

    [Fact]
    public void Summarize_NothingReportedOnAPlainWorkload_HasNothingToSay()
    {
        Assert.Null(PrefixCacheCalculator.Summarize([Ok(0, 100)], [RequestTag.None]));
    }

    [Fact]
    public void Summarize_MultiTurn_SplitsFirstTurnsFromLaterOnes()
    {
        RequestResult[] results = [Ok(0, 500, ttftMs: 100), Ok(1, 600, ttftMs: 20), Ok(2, 700, ttftMs: 30), Ok(3, 500, ttftMs: 140), Ok(4, 600, ttftMs: 40)];
        RequestTag[] tags =
        [
            new(Conversation: 0, Turn: 1, CachedTokens: 0), new(Conversation: 0, Turn: 2, CachedTokens: 480), new(Conversation: 0, Turn: 3, CachedTokens: 592),
            new(Conversation: 1, Turn: 1, CachedTokens: 0), new(Conversation: 1, Turn: 2, CachedTokens: 480),
        ];

        var s = PrefixCacheCalculator.Summarize(results, tags)!;

        Assert.Equal(new TurnSummary(2, 120, 120, 1000, 0, 0), s.FirstTurns);
        Assert.Equal(new TurnSummary(3, 30, 30, 1900, 1552, Math.Round(1552 / 1900.0, 4)), s.LaterTurns);
        Assert.Equal(Math.Round(1552 / 2900.0, 4), s.HitRate);
    }

    [Fact]
    public void Summarize_MultiTurnWithoutCachedTokens_KeepsTheTurnLatenciesAndSaysNoHitRate()
    {
        var s = PrefixCacheCalculator.Summarize([Ok(0, 50, ttftMs: 90), Ok(1, 80, ttftMs: 30)], [new(0, 1), new(0, 2)])!;

        Assert.Equal((0, (long?)null, (double?)null), (s.RequestsReporting, s.CachedTokens, s.HitRate));
        Assert.Equal(90, s.FirstTurns!.TtftMeanMs);
        Assert.Null(s.LaterTurns!.HitRate);
    }

    [Fact]
    public void Summarize_SharedPrefix_IdealCountsEachGroupsPrefixAfterItsFirstRequest_InWholeBlocks()
    {
        // Two groups with prefixes of 40 and 100 tokens (2 and 6 whole blocks: 32 and 96 tokens); the first to be sent of
        // each group computes its prefix, whatever the index order.
        RequestResult[] results = [Ok(0, 50, sentS: 0.2), Ok(1, 50, sentS: 0.1), Ok(2, 50, sentS: 0.3), Ok(3, 110, sentS: 0.0), Ok(4, 110, sentS: 0.4)];
        RequestTag[] tags = [new(Group: 0, PrefixTokens: 40), new(Group: 0, PrefixTokens: 40), new(Group: 0, PrefixTokens: 40), new(Group: 1, PrefixTokens: 100), new(Group: 1, PrefixTokens: 100)];

        var s = PrefixCacheCalculator.Summarize(results, tags)!;

        Assert.Equal(Math.Round((32 + 32 + 96) / 370.0, 4), s.IdealHitRate);
        Assert.Null(s.HitRate);
    }
}
