using Serving.LoadTest.Arrivals;

namespace Serving.LoadTest.Tests.Arrivals;

public sealed class ArrivalScheduleTests
{
    // 40,000 draws: the standard error of the mean gap is 1/√40000 = 0.5% of it (Poisson), so 3% is > 5 sigma.
    const int Draws = 40_000;

    static (double Mean, double Cv) Stats(double rate, double burstiness, int seed)
    {
        var random = new Random(seed);
        var gaps = Enumerable.Range(0, Draws).Select(_ => ArrivalSchedule.Gap(rate, burstiness, random)).ToArray();
        var mean = gaps.Average();
        var std = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / gaps.Length);
        return (mean, std / mean);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(4.0)]
    [InlineData(0.25)]
    public void Gap_Burstiness_MeanIsOneOverRateAndCvIsOneOverSqrtBurstiness(double burstiness)
    {
        const double rate = 8;
        var (mean, cv) = Stats(rate, burstiness, seed: 7);
        Assert.InRange(mean, 0.97 / rate, 1.03 / rate);
        // Gamma(k) has CV 1/√k; the sample CV's error grows with the CV itself (heavier tail at small k): 5% holds.
        var expected = 1 / Math.Sqrt(burstiness);
        Assert.InRange(cv, expected * 0.95, expected * 1.05);
    }

    [Fact]
    public void Poisson_Schedule_IsIncreasingAndEndsAtCountOverRate()
    {
        var times = ArrivalSchedule.Poisson(500, 20, 1, new Random(3));
        Assert.Equal(500, times.Length);
        Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second >= p.First));
        Assert.True(times[0] > 0); // the first request waits one gap too, as vLLM
        Assert.Equal(25.0, times[^1], 9);
    }

    [Fact]
    public void Poisson_SameSeed_SameSchedule_OtherSeed_Differs()
    {
        var a = ArrivalSchedule.Poisson(100, 5, 0.5, new Random(42));
        var b = ArrivalSchedule.Poisson(100, 5, 0.5, new Random(42));
        var c = ArrivalSchedule.Poisson(100, 5, 0.5, new Random(43));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Poisson_InfiniteRate_AllAtOnce() =>
        Assert.All(ArrivalSchedule.Poisson(10, double.PositiveInfinity, 1, new Random(1)), t => Assert.Equal(0, t));

    [Fact]
    public void FromTrace_Speedup_ShiftsToZeroAndCompresses() =>
        Assert.Equal([0, 1, 2.5], ArrivalSchedule.FromTrace([10, 12, 15], 2));
}
