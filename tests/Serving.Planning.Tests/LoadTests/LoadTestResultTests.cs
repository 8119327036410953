using System.Text.Json;
using Serving.Planning.LoadTests;

namespace Serving.Planning.Tests.LoadTests;

public sealed class LoadTestResultTests
{
    [Fact]
    public void Parse_OnlyRunsAndRequests_ReadsTheRestAsAbsentOrDefault()
    {
        var result = LoadTestResult.Parse("""
            { "runs": [ { "rate": 2.5, "requests": [ { "index": 0, "sent_s": 0.1, "success": true, "ttft_ms": 12.5, "e2el_ms": 40, "itls_ms": [9.5, "NaN"], "output_tokens": 4 } ] } ] }
            """);

        var run = Assert.Single(result.Runs);
        Assert.Equal(2.5, run.Rate);
        var request = Assert.Single(run.Requests);
        Assert.Equal((0.1, true, 12.5, 40.0, 4, 0), (request.SentS, request.Success, request.TtftMs, request.E2elMs, request.OutputTokens, request.PromptTokens));
        Assert.Equal(9.5, request.ItlsMs[0]);
        Assert.True(double.IsNaN(request.ItlsMs[1]));
        Assert.Null(result.Workload);
        Assert.Null(result.Target);
        Assert.Null(result.Machine);
        Assert.False(result.Slo.Any);
    }

    [Theory]
    [InlineData("log_normal")]
    [InlineData("lognormal")]
    public void Parse_LogNormalLengths_EitherSpelling(string name)
    {
        var result = LoadTestResult.Parse($$"""
            { "workload": { "kind": "synthetic", "input": { "distribution": "{{name}}", "mean": 100, "min": 1, "max": 400, "sigma": 0.7 } }, "runs": [] }
            """);

        Assert.Equal(new LengthSpec(LengthDistribution.LogNormal, 100, 1, 400, 0.7), result.Workload!.Input);
    }

    [Theory]
    [InlineData("""{ "mode": "sweep" }""")]
    [InlineData("""{ "runs": null }""")]
    [InlineData("null")]
    [InlineData("[]")]
    public void Parse_NotALoadTestResult_Throws(string json)
    {
        Assert.Throws<JsonException>(() => LoadTestResult.Parse(json));
    }
}
