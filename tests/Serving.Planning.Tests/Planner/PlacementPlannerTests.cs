using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Planner;

public sealed class PlacementPlannerTests
{
    private static readonly SearchSpace SplitsOnly = new(
        LayerGroups: [1], ShortPromptThresholds: [0], MaxBatchedPrefillTokens: [4096], MaxDecodeBatches: [64], Colocated: false);

    [Fact]
    public void Plan_LongPromptsShortOutputs_PutsMostWorkersOnPrefill()
    {
        var request = new PlanRequest(4, new Slo(1.0, 0.1), new WorkloadSpec(new FixedLength(2048), new FixedLength(8)), RequestCount: 200, Space: SplitsOnly);

        var plan = PlacementPlanner.Plan(request, Profiles.Gpu());

        Assert.Equal((3, 1), (plan.Best.Config.PrefillWorkers, plan.Best.Config.DecodeWorkers));
        Assert.True(plan.Best.Attainment >= 0.9);
    }

    [Fact]
    public void Plan_ShortPromptsLongOutputsTightTpot_PutsMostWorkersOnDecode()
    {
        var request = new PlanRequest(4, new Slo(1.0, 0.025), new WorkloadSpec(new FixedLength(64), new FixedLength(256)), RequestCount: 200, Space: SplitsOnly);

        var plan = PlacementPlanner.Plan(request, Profiles.Gpu());

        Assert.Equal((1, 3), (plan.Best.Config.PrefillWorkers, plan.Best.Config.DecodeWorkers));
    }

    [Fact]
    public void Plan_HighRates_AreJudgedAsSustainedLoad_NotAsOneBurst()
    {
        // At a few hundred req/s a fixed 200 requests arrive within a second and drain inside the SLO, which once let the
        // search double without end. Decode bounds the truth: a 64-request step of about 0.03 s gives each of the
        // 4 workers ≈ 2,100 tokens/s, ≈ 8 requests/s of 256 tokens.
        var request = new PlanRequest(4, new Slo(1.0, 0.05), new WorkloadSpec(new FixedLength(64), new FixedLength(256)), RequestCount: 200,
            Space: new SearchSpace(LayerGroups: [1], ShortPromptThresholds: [0], MaxBatchedPrefillTokens: [4096], MaxDecodeBatches: [64]));

        var plan = PlacementPlanner.Plan(request, Profiles.Gpu());

        Assert.InRange(plan.Best.Goodput, 1, 4 * 8.5);
    }

    [Fact]
    public void Plan_CheapTransferTightTpot_DisaggregationBeatsColocation()
    {
        var request = TwoWorkersLongPromptsTightTpot();

        var plan = PlacementPlanner.Plan(request, Profiles.Gpu());

        var colocated = plan.Candidates.Single(c => c.Config.MixedWorkers == 2);
        Assert.Equal((1, 1), (plan.Best.Config.PrefillWorkers, plan.Best.Config.DecodeWorkers));
        Assert.True(plan.Best.Goodput >= 1.5 * colocated.Goodput, $"{plan.Best.Goodput} vs colocated {colocated.Goodput}");
    }

    [Fact]
    public void Plan_SlowTransfer_ColocationBeatsDisaggregation()
    {
        // 1 GiB of KV per 2048-token prompt over 100 MB/s: ten seconds per handoff.
        var plan = PlacementPlanner.Plan(TwoWorkersLongPromptsTightTpot(), Profiles.Gpu(bandwidthBytesPerSecond: 1e8));

        Assert.Equal(2, plan.Best.Config.MixedWorkers);
    }

    [Fact]
    public void Plan_ColocatedWithInterTokenStallSlo_LayeredPrefillBeatsPrefillFirst()
    {
        // A 2048-token prefill takes about 0.36 s: whole, it stalls every running decode past 150 ms; in 8 groups it does not.
        var request = new PlanRequest(2, new Slo(3.0, 0.05, MaxItlSeconds: 0.15), new WorkloadSpec(new FixedLength(2048), new FixedLength(128)),
            RequestCount: 200,
            Space: new SearchSpace(LayerGroups: [1, 8], ShortPromptThresholds: [0], MaxBatchedPrefillTokens: [4096], MaxDecodeBatches: [64], Disaggregated: false));

        var plan = PlacementPlanner.Plan(request, Profiles.Gpu());

        Assert.Equal(8, plan.Best.Config.LayerGroups);
        Assert.True(plan.Best.Goodput >= 3 * plan.Candidates[1].Goodput, $"{plan.Best.Goodput} vs G=1 {plan.Candidates[1].Goodput}");
    }

    [Fact]
    public void Plan_SameRequest_SameRankingWhateverTheParallelism()
    {
        var request = new PlanRequest(
            3,
            new Slo(0.8, 0.04),
            new WorkloadSpec(new LogNormalLength(600, 0.9, 16, 4096), new LogNormalLength(96, 0.8, 2, 512)),
            RequestCount: 150,
            Seed: 11,
            Space: new SearchSpace(LayerGroups: [1, 4], ShortPromptThresholds: [0, 256], MaxBatchedPrefillTokens: [2048], MaxDecodeBatches: [16, 64]));

        var parallel = PlacementPlanner.Plan(request, Profiles.Gpu());
        var serial = PlacementPlanner.Plan(request, Profiles.Gpu(), maxParallelism: 1);

        Assert.Equal(serial.Candidates, parallel.Candidates);
        Assert.True(parallel.Candidates.Zip(parallel.Candidates.Skip(1)).All(p => p.First.Goodput >= p.Second.Goodput));
    }

    [Fact]
    public void Evaluate_BestCandidate_MatchesItsPlannedGoodput()
    {
        var request = TwoWorkersLongPromptsTightTpot();
        var plan = PlacementPlanner.Plan(request, Profiles.Gpu());

        var again = PlacementPlanner.Evaluate(plan.Best.Config, Profiles.Gpu(), request);

        Assert.Equal(plan.Best, again);
    }

    private static PlanRequest TwoWorkersLongPromptsTightTpot() =>
        new(2, new Slo(2.0, 0.025), new WorkloadSpec(new FixedLength(2048), new FixedLength(128)), RequestCount: 200,
            Space: new SearchSpace(LayerGroups: [1], ShortPromptThresholds: [0], MaxBatchedPrefillTokens: [4096], MaxDecodeBatches: [64]));
}
