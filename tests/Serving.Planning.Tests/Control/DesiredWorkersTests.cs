using Serving.Planning.Control;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Control;

/// <summary>The worker counts per role the planner asks an autoscaler for: the best setup sized for the observed load.</summary>
public sealed class DesiredWorkersTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    // 1P+3D serving 2 req/s, asked for 5 req/s + 20%: three times as many of each.
    [InlineData(1, 3, 0, 2.0, 5.0, 0.2, 3, 9, 0)]
    // Far more than the load needs: shrinks, but keeps one of each role it uses.
    [InlineData(2, 6, 0, 10.0, 1.0, 0.2, 1, 1, 0)]
    // Colocated stays colocated.
    [InlineData(0, 0, 2, 4.0, 7.0, 0.0, 0, 0, 4)]
    // Idle: the least the setup's roles can run on.
    [InlineData(1, 2, 0, 1.0, 0.0, 0.2, 1, 1, 0)]
    public void SizedFor_ScalesEachRoleByRateOverGoodput_RoundingUp(int p, int d, int m, double goodput, double rate, double headroom, int ep, int ed, int em)
    {
        var sized = Replanner.SizedFor(new ClusterConfig(p, d, m, LayerGroups: 2, ShortPromptThreshold: 128), goodput, rate, headroom);

        Assert.Equal((ep, ed, em), (sized.PrefillWorkers, sized.DecodeWorkers, sized.MixedWorkers));
        Assert.Equal((2, 128), (sized.LayerGroups, sized.ShortPromptThreshold));
    }

    [Fact]
    public void OverloadedCluster_AsksForASetupThatSustainsTheObservedRate()
    {
        var slo = new Slo(1.0, 0.05);
        var settings = new ControlSettings(slo, MinSamples: 30, PlanRequests: 150, Space: new SearchSpace(LayerGroups: [1], ShortPromptThresholds: [0], Colocated: false));
        var spec = new WorkloadSpec(new FixedLength(1024), new FixedLength(64));
        var current = new ClusterConfig(1, 1, 0);
        const double Rate = 12;
        var arrivals = WorkloadGenerator.Generate(spec, Rate, 200, seed: 3);
        var outcomes = Simulator.Run(current, Profiles.Gpu(), arrivals);
        var window = outcomes.Requests.Select(o => new ObservedRequest(
            1_700_000_000 + arrivals[o.Id].ArrivalTime, o.PromptTokens, o.OutputTokens, o.Ttft, o.Tpot, o.MaxItl, o.Completed)).ToList();
        Assert.True(outcomes.Attainment(slo) < 0.9, $"the test needs an overloaded cluster: {outcomes.Attainment(slo):P0}");

        var decision = Replanner.Decide(window, current, Profiles.Gpu(), settings);

        var desired = decision.Desired!;
        Assert.True(desired.Workers > current.Workers, $"{Replanner.Label(desired)} for {Rate} req/s");
        // Sized by replication: the setup it asks for meets the SLO at the rate it was asked for.
        var check = Simulator.Run(desired, Profiles.Gpu(), WorkloadGenerator.Generate(spec, Rate, 400, seed: 11));
        output.WriteLine($"{Replanner.Label(current)}: {outcomes.Attainment(slo):P0} at {Rate} req/s; best {Replanner.Label(decision.Best!.Config)} ({decision.Best.Goodput:0.##} req/s); asks for {Replanner.Label(desired)}: {check.Attainment(slo):P0}");
        Assert.True(check.Attainment(slo) >= 0.9, $"{Replanner.Label(desired)} at {Rate} req/s: {check.Attainment(slo):P0} attainment");
    }

    [Fact]
    public void TooFewSamples_AsksForTheLeastTheCurrentRolesRunOn()
    {
        var settings = new ControlSettings(new Slo(1.0, 0.05), MinSamples: 50);

        var decision = Replanner.Decide([], new ClusterConfig(2, 5, 0), Profiles.Gpu(), settings);

        Assert.Equal((1, 1, 0), (decision.Desired!.PrefillWorkers, decision.Desired.DecodeWorkers, decision.Desired.MixedWorkers));
    }
}
