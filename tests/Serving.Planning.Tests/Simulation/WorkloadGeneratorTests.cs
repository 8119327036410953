using Serving.Planning.Simulation;

namespace Serving.Planning.Tests.Simulation;

public sealed class WorkloadGeneratorTests
{
    private static readonly WorkloadSpec Spec = new(new LogNormalLength(512, 1.0, 16, 8192), new UniformLength(10, 20));

    [Fact]
    public void Generate_Rate_ArrivalsAreSortedWithMeanGapOfOneOverRate()
    {
        var requests = WorkloadGenerator.Generate(Spec, rate: 4, count: 4000, seed: 1);

        Assert.True(requests.Zip(requests.Skip(1)).All(p => p.First.ArrivalTime <= p.Second.ArrivalTime));
        Assert.InRange(requests[^1].ArrivalTime / requests.Count, 0.24, 0.26);
    }

    [Fact]
    public void Generate_Distributions_LengthsStayInBounds()
    {
        var requests = WorkloadGenerator.Generate(Spec, rate: 1, count: 2000, seed: 2);

        Assert.All(requests, r => Assert.InRange(r.PromptTokens, 16, 8192));
        Assert.All(requests, r => Assert.InRange(r.OutputTokens, 10, 20));
        var median = requests.Select(r => r.PromptTokens).Order().ElementAt(requests.Count / 2);
        Assert.InRange(median, 460, 570);
        Assert.All(WorkloadGenerator.Generate(new WorkloadSpec(new FixedLength(7), new FixedLength(3)), 1, 10, 1),
            r => Assert.Equal((7, 3), (r.PromptTokens, r.OutputTokens)));
    }

    [Fact]
    public void Generate_SameSeed_SameRequests()
    {
        Assert.Equal(WorkloadGenerator.Generate(Spec, 2, 100, 9), WorkloadGenerator.Generate(Spec, 2, 100, 9));
        Assert.NotEqual(WorkloadGenerator.Generate(Spec, 2, 100, 9), WorkloadGenerator.Generate(Spec, 2, 100, 10));
    }

    [Fact]
    public void Generate_PrefixHitRate_SameRequestsWithThatShareOfEachPromptCached()
    {
        var plain = WorkloadGenerator.Generate(Spec, 2, 100, 9);

        var cached = WorkloadGenerator.Generate(Spec with { PrefixHitRate = 0.3 }, 2, 100, 9);

        Assert.Equal(plain, cached.Select(r => r with { CachedTokens = 0 }));
        Assert.All(cached, r => Assert.Equal((int)Math.Floor(0.3m * r.PromptTokens), r.CachedTokens));
        Assert.All(plain, r => Assert.Equal(0, r.CachedTokens));
        Assert.Equal(plain, WorkloadGenerator.Generate(Spec with { PrefixHitRate = 0 }, 2, 100, 9));
        Assert.Equal(cached, WorkloadGenerator.WithPrefixHitRate(plain, 0.3));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Generate_HitRateOutsideZeroToOne_Throws(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkloadGenerator.Generate(Spec with { PrefixHitRate = rate }, 1, 1));
    }

    [Fact]
    public void AtRate_DoubleRate_HalvesArrivalsKeepsLengths()
    {
        var slow = WorkloadGenerator.Generate(Spec, 1, 50, 3);
        var fast = WorkloadGenerator.AtRate(slow, 2);

        Assert.All(slow.Zip(fast), p => Assert.Equal(p.First with { ArrivalTime = p.First.ArrivalTime / 2 }, p.Second));
    }
}
