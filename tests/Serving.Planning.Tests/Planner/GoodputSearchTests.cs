using Serving.Planning.Planner;

namespace Serving.Planning.Tests.Planner;

public sealed class GoodputSearchTests
{
    [Theory]
    [InlineData(3.7)]
    [InlineData(0.013)]
    [InlineData(900)]
    public void HighestRate_StepAttainment_FindsTheStepWithinBisectionPrecision(double capacity)
    {
        var (rate, attainment) = GoodputSearch.HighestRate(r => r <= capacity ? 0.95 : 0.5, 0.9);

        Assert.InRange(rate, capacity * (1 - 1.0 / 128), capacity);
        Assert.Equal(0.95, attainment);
    }

    [Fact]
    public void HighestRate_TargetNeverMet_ReturnsZero()
    {
        var (rate, attainment) = GoodputSearch.HighestRate(_ => 0.5, 0.9);

        Assert.Equal(0, rate);
        Assert.Equal(0.5, attainment);
    }
}
