using Serving.LoadTest.Metrics;

namespace Serving.LoadTest.Tests.Metrics;

public sealed class PercentilesTests
{
    // Expected values are numpy.percentile's (linear interpolation) on the same data.
    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 10 }, 90, 7.6)]
    [InlineData(new[] { 15.0, 20, 35, 40, 50 }, 40, 29)]
    [InlineData(new[] { 15.0, 20, 35, 40, 50 }, 50, 35)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 50, 2.5)]
    [InlineData(new[] { 1.0, 2, 3, 4 }, 99, 3.97)]
    [InlineData(new[] { 5.0 }, 99, 5)]
    [InlineData(new[] { 1.0, 3 }, 0, 1)]
    [InlineData(new[] { 1.0, 3 }, 100, 3)]
    public void Of_SortedValues_MatchesNumpyLinear(double[] sorted, double percentile, double expected) =>
        Assert.Equal(expected, Percentiles.Of(sorted, percentile), 9);

    [Fact]
    public void Of_NoValues_IsZeroAsVllmReports() => Assert.Equal(0, Percentiles.Of([], 99));

    [Fact]
    public void Std_Values_IsPopulationStd() => Assert.Equal(2, Percentiles.Std([2, 4, 4, 4, 5, 5, 7, 9]), 12);
}
