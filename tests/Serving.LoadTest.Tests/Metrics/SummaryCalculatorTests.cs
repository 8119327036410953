using Serving.LoadTest.Metrics;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Metrics;

public sealed class SummaryCalculatorTests
{
    static RequestResult Ok(int i, double ttft, double[] itls, int tokens, int prompt = 10) => new()
    {
        Index = i,
        Success = true,
        TtftMs = ttft,
        ItlsMs = itls,
        E2elMs = ttft + itls.Sum(),
        OutputTokens = tokens,
        PromptTokens = prompt,
    };

    [Fact]
    public void Summarize_KnownRequests_FollowsVllmDefinitions()
    {
        RequestResult[] results =
        [
            Ok(0, 100, [10, 10, 10], 4),            // TPOT 10
            Ok(1, 200, [30, 50], 3),                // TPOT 40
            Ok(2, 50, [], 1),                       // one token: no TPOT, no ITL
            new() { Index = 3, Failure = FailureKind.HttpStatus, HttpStatus = 500, PromptTokens = 10 },
            new() { Index = 4, Failure = FailureKind.Timeout, PromptTokens = 10 },
        ];
        var s = SummaryCalculator.Summarize(results, 2.0, new Slo(150, 20, null), [50, 90]);

        Assert.Equal((5, 3, 2), (s.Requests, s.Completed, s.Failed));
        Assert.Equal(new Dictionary<string, int> { ["http_500"] = 1, ["timeout"] = 1 }, s.FailuresByReason);
        Assert.Equal(30, s.TotalInputTokens); // successful requests only, as vLLM
        Assert.Equal(8, s.TotalOutputTokens);
        Assert.Equal(1.5, s.RequestThroughput);
        Assert.Equal(4, s.OutputThroughput);
        Assert.Equal(19, s.TotalTokenThroughput);
        Assert.Equal(2, s.TpotMs.Count); // per request, single-token requests left out
        Assert.Equal(25, s.TpotMs.Mean);
        Assert.Equal(5, s.ItlMs.Count); // pooled: every gap of every request
        Assert.Equal(22, s.ItlMs.Mean);
        Assert.Equal(10, s.ItlMs.Median);
        Assert.Equal(116.667, s.TtftMs.Mean);
        Assert.Equal(42, s.ItlMs.Percentiles["p90"]); // numpy: [10,10,10,30,50] at 90: rank 3.6 → 30 + 0.6·20
        // Requests 0 (ttft 100, tpot 10) and 2 (ttft 50, one token) meet ttft ≤ 150 and tpot ≤ 20; failures count as missed.
        Assert.Equal(0.4, s.SloAttainment);
        Assert.Equal(1.0, s.Goodput);
        Assert.Equal(0.4, s.AttainmentBySlo["ttft"]);
        Assert.Equal(0.4, s.AttainmentBySlo["tpot"]);
    }

    [Fact]
    public void Summarize_NoUsageFromServer_MarksCountsApproximate()
    {
        var s = SummaryCalculator.Summarize([Ok(0, 10, [5], 2) with { TokensApproximate = true }], 1, Slo.None, [99]);
        Assert.True(s.TokenCountsApproximate);
        Assert.Equal(1, s.SloAttainment); // no SLO: every success counts
    }
}
