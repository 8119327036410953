using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

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
        return KeptUp.Rate(result.Requests.Where(r => r.Completed).Select(r => flood[r.Id].ArrivalTime + r.E2e));
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
    public void VariableAnswerLengths_DoNotReadAsFallingBehind()
    {
        // Outputs of 16–512 tokens: completions spread wider than arrivals at either end, with no queue at all. The
        // goodput must not fall below what attainment alone gives at a load this far under capacity.
        var config = new ClusterConfig(0, 0, 1);
        var varied = new WorkloadSpec(new FixedLength(256), new UniformLength(16, 512));
        var request = new PlanRequest(1, new Slo(5, 0.1), varied);
        var attainmentOnly = GoodputSearch.HighestRate(r => PlacementPlanner.AttainmentAt(config, Profiles.Gpu(), request, [r])[0], 0.9).Rate;

        var plan = PlacementPlanner.Evaluate(config, Profiles.Gpu(), request);

        output.WriteLine($"goodput {plan.Goodput:0.###} req/s; attainment alone {attainmentOnly:0.###}");
        Assert.InRange(plan.Goodput, 0.9 * attainmentOnly, attainmentOnly);
    }

    [Fact]
    public void Judge_RatesOverTheCentralEightyPercent_QueueAgainstTheFirstThirdsGenerationTime()
    {
        // Ten requests offered 0.1 apart, each completed 1 later: 10 per unit both ways, no drift.
        var steady = Enumerable.Range(0, 10).Select(i => new KeptUp.Request(i * 0.1, i * 0.1 + 1, 0.2, 1)).ToList();
        var verdict = KeptUp.Judge(steady, 0.05);
        Assert.Equal((10.0, 10.0), (Math.Round(verdict.OfferedRate, 9), Math.Round(verdict.AchievedRate, 9)));
        Assert.Equal(0.8, verdict.QueueAllowance, 9);
        Assert.True(verdict.Passed);

        // TTFT and latency rising 0.2 per request offered 0.1 apart: a backlog, beyond 1.5 × 0.2 + 0.8, and a drift of
        // 2 seconds per second — completions at a third of the offered rate.
        var growing = steady.Select((r, i) => r with { Ttft = 0.2 + 0.2 * i, Latency = 1 + 0.2 * i, CompletedAt = r.CompletedAt + 0.2 * i }).ToList();
        var behind = KeptUp.Judge(growing, 0.05);
        Assert.True(behind.QueueGrew);
        Assert.Equal(10.0 / 3, behind.AchievedRate, 9);
        Assert.False(behind.Achieved);
        Assert.Equal(0, KeptUp.Rate([1.0]));
    }
}
