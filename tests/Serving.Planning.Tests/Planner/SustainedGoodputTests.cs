using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Planning.Tests.Support;

namespace Serving.Planning.Tests.Planner;

/// <summary>The planner's simulated goodput is a rate the cluster sustains (<see cref="KeptUp"/>), as the load tester's is.</summary>
public sealed class SustainedGoodputTests(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly WorkloadSpec Chat = new(new FixedLength(256), new FixedLength(64));

    // What one configuration completes per second when offered far more: its capacity.
    static double Capacity(ClusterConfig config)
    {
        var flood = WorkloadGenerator.AtRate(WorkloadGenerator.Generate(Chat, 1500, 7), 10_000);
        var result = Simulator.Run(config, Profiles.Gpu(), flood);
        return KeptUp.AchievedRate(result.Requests.Where(r => r.Completed).Select(r => flood[r.Id].ArrivalTime + r.E2e));
    }

    [Fact]
    public void LooseSlos_GoodputIsCappedByWhatTheClusterSustains_NotWhatABurstDrains()
    {
        // SLOs so loose that any burst of the simulated length drains within them: attainment alone says 100% at any rate.
        var config = new ClusterConfig(0, 0, 1, MaxDecodeBatch: 8);
        var request = new PlanRequest(1, new Slo(600, 10), Chat, MaxRequests: 600);
        var capacity = Capacity(config);

        var plan = PlacementPlanner.Evaluate(config, Profiles.Gpu(), request);
        var attainmentAtTwiceCapacity = PlacementPlanner.AttainmentAt(config, Profiles.Gpu(), request, [2 * capacity])[0];

        output.WriteLine($"capacity {capacity:0.##} req/s, goodput {plan.Goodput:0.##}, attainment at twice the capacity {attainmentAtTwiceCapacity:P0}");
        Assert.True(attainmentAtTwiceCapacity >= 0.9, "the test needs SLOs a burst above capacity still meets");
        Assert.InRange(plan.Goodput, 0.5 * capacity, capacity);
    }

    [Fact]
    public void KeptUp_AchievedRateAndQueue_FollowTheOneRule()
    {
        // Completions 0.1 apart: 10 per unit; a queue that rose by more than 1.5× plus the median latency grew.
        Assert.Equal(10, KeptUp.AchievedRate([0.5, 0.3, 0.4, 0.2]), 9);
        Assert.True(KeptUp.Achieved(9.5, 10));
        Assert.False(KeptUp.Achieved(9.4, 10));
        Assert.Equal((2.0, 8.0), KeptUp.TtftThirds([(0, 1), (1, 2), (2, 3), (3, 5), (4, 5), (5, 5), (6, 7), (7, 8), (8, 9)]));
        Assert.False(KeptUp.QueueGrew(2, 8, medianLatency: 6, minSlack: 0.05)); // within 1.5 × 2 + 6
        Assert.True(KeptUp.QueueGrew(2, 8, medianLatency: 1, minSlack: 0.05));
        Assert.False(KeptUp.QueueGrew(double.NaN, 8, 1, 0.05));
    }
}
