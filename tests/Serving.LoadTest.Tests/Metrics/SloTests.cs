using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Metrics;

public sealed class SloTests
{
    [Fact]
    public void Parse_SeparateAndJoinedParts_ReadsEveryObjective()
    {
        var slo = Slo.Parse(["ttft:200", "tpot:50.5 e2el:2000"]);
        Assert.Equal(new Slo(200, 50.5, 2000), slo);
        Assert.Equal("ttft:200 tpot:50.5 e2el:2000", slo.ToString());
    }

    [Theory]
    [InlineData("ttft")]
    [InlineData("ttft:abc")]
    [InlineData("ttft:-1")]
    [InlineData("itl:20")]
    public void Parse_BadPart_Throws(string part) => Assert.Throws<FormatException>(() => Slo.Parse([part]));

    [Fact]
    public void IsMetBy_BoundaryAndFailures_AsVllm()
    {
        var slo = new Slo(100, 10, null);
        var ok = new RequestResult { Index = 0, Success = true, TtftMs = 100, E2elMs = 190, OutputTokens = 10 };
        Assert.True(slo.IsMetBy(ok)); // TPOT exactly 10: ≤ holds
        Assert.False(slo.IsMetBy(ok with { TtftMs = 100.5 }));
        Assert.False(slo.IsMetBy(ok with { Success = false, Failure = FailureKind.HttpStatus }));
        // One output token: no TPOT, counted as 0 (meets any TPOT SLO).
        Assert.True(slo.IsMetBy(ok with { OutputTokens = 1, E2elMs = 100 }));
    }
}
