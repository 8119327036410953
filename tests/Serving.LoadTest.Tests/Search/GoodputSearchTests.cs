using Serving.LoadTest.Search;

namespace Serving.LoadTest.Tests.Search;

public sealed class GoodputSearchTests
{
    // A server that sustains `capacity`: below it, it achieves the offered rate within the SLOs; above, it achieves
    // only its capacity and misses.
    static Func<double, CancellationToken, Task<ProbeVerdict>> Cliff(double capacity) =>
        (rate, _) => Task.FromResult(rate <= capacity
            ? new ProbeVerdict(rate, rate, 0.97, [])
            : new ProbeVerdict(rate, capacity, 0.5, ["attainment 50% < 90%"]));

    [Theory]
    [InlineData(7.3, 1.0)]
    [InlineData(7.3, 50.0)]
    [InlineData(0.6, 4.0)]
    [InlineData(120, 1.0)]
    public async Task RunAsync_CliffAtCapacity_ConvergesWithinTolerance(double capacity, double start)
    {
        var settings = new SearchSettings { StartRate = start, Tolerance = 0.05, MaxProbes = 20, Workers = 4 };
        var result = await GoodputSearch.RunAsync(Cliff(capacity), settings, CancellationToken.None);
        Assert.True(result.Converged);
        Assert.InRange(result.Goodput, capacity * 0.95, capacity);
        Assert.InRange(result.LowestFailing!.Value, capacity, capacity / 0.95);
        Assert.Equal(result.Goodput / 4, result.GoodputPerWorker, 3);
        Assert.All(result.Probes, p => Assert.Equal(p.Rate <= capacity, p.Passed));
    }

    [Fact]
    public async Task RunAsync_NothingPasses_GoodputZeroAtMinRate()
    {
        var result = await GoodputSearch.RunAsync(Cliff(0.001), new SearchSettings { MinRate = 0.5, StartRate = 4, MaxProbes = 10 }, CancellationToken.None);
        Assert.Equal(0, result.Goodput);
        Assert.Equal(0.5, result.Probes[^1].Rate);
        Assert.True(result.Converged);
    }

    [Fact]
    public async Task RunAsync_EverythingPasses_StopsAtMaxRate()
    {
        var result = await GoodputSearch.RunAsync(Cliff(1e9), new SearchSettings { MaxRate = 64, StartRate = 1, MaxProbes = 20 }, CancellationToken.None);
        Assert.Equal(64, result.Goodput);
        Assert.Null(result.LowestFailing);
        Assert.Equal(7, result.Probes.Count); // 1, 2, 4, ..., 64
    }

    [Fact]
    public async Task RunAsync_ProbeLimit_ReportsNotConverged()
    {
        var result = await GoodputSearch.RunAsync(Cliff(7.3), new SearchSettings { Tolerance = 0.001, MaxProbes = 5 }, CancellationToken.None);
        Assert.Equal(5, result.Probes.Count);
        Assert.False(result.Converged);
        Assert.Equal(Math.Sqrt(32), result.Goodput, 3); // 1, 2, 4 pass, 8 fails, then √(4·8) passes: the best rate seen to pass
    }

    [Fact]
    public async Task RunAsync_ThePassingProbeAchievedLessThanOffered_GoodputIsWhatItAchieved()
    {
        // Passing allows achieving 95% of the offered rate: the headline never claims more than was delivered.
        static Task<ProbeVerdict> Probe(double rate, CancellationToken _) =>
            Task.FromResult(rate <= 8 ? new ProbeVerdict(rate, 0.97 * rate, 1, []) : new ProbeVerdict(rate, 8, 1, ["achieved 8 < 95% of offered"]));

        var result = await GoodputSearch.RunAsync(Probe, new SearchSettings { StartRate = 8, MaxProbes = 2 }, CancellationToken.None);

        Assert.Equal(8, result.Offered);
        Assert.Equal(0.97 * 8, result.Goodput, 3);
        Assert.Equal(["achieved 8 < 95% of offered"], result.Probes[1].Misses);
    }
}
