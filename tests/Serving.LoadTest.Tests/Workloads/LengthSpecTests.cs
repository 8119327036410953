using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Workloads;

public sealed class LengthSpecTests
{
    [Fact]
    public void Sample_Fixed_IsTheMean() =>
        Assert.All(Enumerable.Range(0, 50).Select(_ => LengthSpec.Of(LengthDistribution.Fixed, 128).Sample(new Random(1))), v => Assert.Equal(128, v));

    [Fact]
    public void Sample_UniformDefaultRange_CoversHalfToThreeHalvesWithTheMean()
    {
        var spec = LengthSpec.Of(LengthDistribution.Uniform, 100);
        var random = new Random(5);
        var xs = Enumerable.Range(0, 20_000).Select(_ => spec.Sample(random)).ToArray();
        Assert.Equal((50, 150), (xs.Min(), xs.Max()));
        Assert.InRange(xs.Average(), 99, 101);
    }

    [Fact]
    public void Sample_LogNormal_HasTheMeanAndStaysInRange()
    {
        var spec = LengthSpec.Of(LengthDistribution.LogNormal, 200, max: 100_000, sigma: 0.5);
        var random = new Random(9);
        var xs = Enumerable.Range(0, 40_000).Select(_ => spec.Sample(random)).ToArray();
        Assert.InRange(xs.Average(), 196, 204);
        Assert.True(xs.Min() >= 1);
        // Median of a log-normal is exp(mu) = mean · exp(−σ²/2) ≈ 176.5 here.
        Assert.InRange(xs.Order().ElementAt(xs.Length / 2), 172, 181);
        var clipped = LengthSpec.Of(LengthDistribution.LogNormal, 200, 150, 250);
        Assert.All(Enumerable.Range(0, 1000).Select(_ => clipped.Sample(random)), v => Assert.InRange(v, 150, 250));
    }

    [Fact]
    public void Of_MaxBelowMin_Throws() => Assert.Throws<ArgumentException>(() => LengthSpec.Of(LengthDistribution.Uniform, 100, 80, 60));
}
