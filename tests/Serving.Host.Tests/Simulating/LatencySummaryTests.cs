using Serving.Host.Simulating;
using Serving.Planning.Simulation;

namespace Serving.Host.Tests.Simulating;

public sealed class LatencySummaryTests
{
    [Theory]
    [InlineData(50, 2.5)]
    [InlineData(90, 3.7)]
    [InlineData(0, 1)]
    [InlineData(100, 4)]
    public void Percentile_FourValues_InterpolatesLinearlyAsNumpy(double q, double expected)
    {
        Assert.Equal(expected, LatencySummary.Percentile([4, 1, 3, 2], q), 12);
    }

    [Fact]
    public void Of_FailedAndSingleTokenRequests_CountAsTheLoadTesterCounts()
    {
        RequestOutcome[] outcomes =
        [
            new(0, 10, 5, 0.1, 0.02, 0.18, 0.03, 0, true),
            new(1, 10, 1, 0.2, 0, 0.2, 0, 0, true),
            new(2, 10, 5, 0.1, 0.09, 0.46, 0.1, 0, true),
            new(3, 10, 5, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, 0, false),
        ];

        var summary = LatencySummary.Of(outcomes, new Slo(0.5, 0.05));

        // Met: the first, and the single-token one (no TPOT); missed: the slow one and the failed one.
        Assert.Equal(0.5, summary.Attainment, 12);
        Assert.Equal(1, summary.Failed);
        Assert.Equal(100, summary.TtftP50Ms!.Value, 9);
        // TPOT percentiles leave out the single-token request: 20 and 90 ms.
        Assert.Equal(55, summary.TpotP50Ms!.Value, 9);
    }
}
