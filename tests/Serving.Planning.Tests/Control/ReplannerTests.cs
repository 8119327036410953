using Serving.Planning.Control;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Control;

public sealed class ReplannerTests
{
    private static readonly SearchSpace Splits = new(LayerGroups: [1], ShortPromptThresholds: [0]);
    private static readonly ClusterConfig OnePrefillThreeDecode = new(1, 3, 0);

    /// <summary>
    /// What a cluster running <paramref name="config"/> would have observed: the simulator's own outcomes on the
    /// <paramref name="truth"/> profile (default: the one the planner is given), time-scaled.
    /// </summary>
    private static List<ObservedRequest> Observe(
        ClusterConfig config, WorkloadSpec spec, double rate, int count, int seed = 3, double ttftScale = 1, double tpotScale = 1, WorkerProfile? truth = null)
    {
        var requests = WorkloadGenerator.Generate(spec, rate, count, seed);
        var outcomes = Simulator.Run(config, truth ?? Profiles.Gpu(), requests).Requests;
        return [.. outcomes.Select(o => new ObservedRequest(
            1_700_000_000 + requests[o.Id].ArrivalTime, o.PromptTokens, o.OutputTokens, o.Ttft * ttftScale, o.Tpot * tpotScale, o.MaxItl, o.Completed))];
    }

    [Fact]
    public void ShiftFromShortToLongPrompts_MovesWorkersTowardPrefill()
    {
        var settings = new ControlSettings(new Slo(1.0, 0.05), MinSamples: 30, PlanRequests: 150, Space: Splits);
        var chat = new WorkloadSpec(new FixedLength(64), new FixedLength(256));
        var documents = new WorkloadSpec(new FixedLength(2048), new FixedLength(8));

        var before = Replanner.Decide(Observe(OnePrefillThreeDecode, chat, rate: 4, count: 150), OnePrefillThreeDecode, Profiles.Gpu(), settings);
        var after = Replanner.Decide(Observe(OnePrefillThreeDecode, documents, rate: 4, count: 150), OnePrefillThreeDecode, Profiles.Gpu(), settings);

        Assert.True(before.Target!.PrefillWorkers <= 1, before.Reason);
        Assert.True(after.Switch, after.Reason);
        Assert.True(after.Target!.PrefillWorkers >= 2, after.Reason);
        Assert.True(after.Best!.Goodput >= 1.15 * after.Current!.Goodput);
    }

    [Fact]
    public void WhenNoSetupMeetsTheTarget_RanksByAttainmentAtTheObservedRate()
    {
        // TTFT ≤ 0.3 s while a 2,048-token prefill alone takes ≈ 0.36 s: half the prompts can never make it, so every
        // setup's goodput is 0 — but at 4 req/s three prefill workers let the short half through, one does not.
        var settings = new ControlSettings(new Slo(0.3, 0.1), PlanRequests: 150, Space: Splits with { Colocated = false });
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new UniformLength(256, 3072), new FixedLength(8)), rate: 4, count: 150);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), settings);

        Assert.Equal(0, d.Best!.Goodput);
        Assert.True(d.Switch, d.Reason);
        Assert.True(d.Target!.PrefillWorkers >= 2, d.Reason);
        Assert.True(d.Best.Attainment >= d.Current!.Attainment + 0.05, d.Reason);
        Assert.Contains("no setup meets the SLO", d.Reason);
    }

    [Fact]
    public void ObservationsFromTheModelItself_GiveCorrectionsOfOne_AndPredictedAttainmentEqualToObserved()
    {
        var settings = new ControlSettings(new Slo(1.0, 0.05), PlanRequests: 100, Space: Splits);
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new UniformLength(256, 1024), new UniformLength(16, 64)), rate: 6, count: 120);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), settings);

        Assert.Equal(1, d.PrefillCorrection, 6);
        Assert.Equal(1, d.DecodeCorrection, 6);
        Assert.Equal(d.ObservedAttainment, d.PredictedAttainment, 6);
        Assert.Equal(6, d.ObservedRate, 0.3 * 6);
    }

    [Fact]
    public void SlowerThanProfiled_CorrectionsMeasureHowMuch()
    {
        // The workers really prefill 2× and decode 1.5× slower than the profile says.
        var settings = new ControlSettings(new Slo(1.0, 0.05), PlanRequests: 100, Space: Splits);
        var truth = Profiles.Gpu().Corrected(2, 1.5);
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new FixedLength(512), new FixedLength(32)), rate: 1, count: 60, truth: truth);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), settings);

        Assert.Equal(2, d.PrefillCorrection, 0.01);
        Assert.Equal(1.5, d.DecodeCorrection, 0.01);
    }

    [Fact]
    public void NearSaturation_TheCorrectionIsTheServiceTimeFactor_NotTheQueueingRatio()
    {
        // Prefill really takes 1.3× the profile's, at a rate that keeps the one prefill worker nearly saturated: TTFT is
        // mostly queueing, which grows much faster than 1.3×. A ratio of medians would take that for the factor.
        var settings = new ControlSettings(new Slo(5.0, 0.05), PlanRequests: 100, Space: Splits);
        var spec = new WorkloadSpec(new FixedLength(2048), new FixedLength(16));
        var config = new ClusterConfig(1, 1, 0);
        var truth = Profiles.Gpu().Corrected(1.3, 1);
        var window = Observe(config, spec, rate: 2.1, count: 200, truth: truth);
        var asProfiled = Observe(config, spec, rate: 2.1, count: 200);
        static double Median(IEnumerable<double> xs) { var a = xs.Order().ToArray(); return a[a.Length / 2]; }
        var ratio = Median(window.Select(r => r.Ttft)) / Median(asProfiled.Select(r => r.Ttft));

        var d = Replanner.Decide(window, config, Profiles.Gpu(), settings);

        Assert.True(ratio > 1.6, $"the test needs queueing to dominate: TTFT ratio {ratio:0.00}");
        Assert.Equal(1.3, d.PrefillCorrection, 0.03);
        Assert.Equal(1, d.DecodeCorrection, 0.03);
    }

    [Fact]
    public void WildRatios_AreClamped()
    {
        var settings = new ControlSettings(new Slo(1.0, 0.05), PlanRequests: 60, Space: Splits);
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new FixedLength(512), new FixedLength(32)), rate: 1, count: 40, ttftScale: 100, tpotScale: 0.001);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), settings);

        Assert.Equal(ControlSettings.MaxCorrection, d.PrefillCorrection);
        Assert.Equal(1 / ControlSettings.MaxCorrection, d.DecodeCorrection);
    }

    [Fact]
    public void TooFewSamples_DecidesNothing()
    {
        var settings = new ControlSettings(new Slo(1.0, 0.05), MinSamples: 50, Space: Splits);
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new FixedLength(2048), new FixedLength(8)), rate: 4, count: 49);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), settings);

        Assert.False(d.Switch);
        Assert.Null(d.Best);
        Assert.Contains("49 of 50", d.Reason);
    }

    [Fact]
    public void BetterPlan_WithinTheMinimumInterval_IsNotApplied()
    {
        var settings = new ControlSettings(new Slo(1.0, 0.05), PlanRequests: 150, Space: Splits);
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new FixedLength(2048), new FixedLength(8)), rate: 4, count: 150);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), settings, mayChange: false);

        Assert.False(d.Switch);
        Assert.Equal(OnePrefillThreeDecode, d.Target);
        Assert.Contains("too recent", d.Reason);
    }

    [Fact]
    public void BetterPlan_BelowTheHysteresisMargin_IsNotApplied()
    {
        var window = Observe(OnePrefillThreeDecode, new WorkloadSpec(new FixedLength(2048), new FixedLength(8)), rate: 4, count: 150);
        var eager = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), new ControlSettings(new Slo(1.0, 0.05), PlanRequests: 150, Space: Splits, Hysteresis: 0));
        var gain = eager.Best!.Goodput / eager.Current!.Goodput - 1;

        var reluctant = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), new ControlSettings(new Slo(1.0, 0.05), PlanRequests: 150, Space: Splits, Hysteresis: gain + 0.05));

        Assert.True(eager.Switch, eager.Reason);
        Assert.False(reluctant.Switch, reluctant.Reason);
        Assert.Contains("less than", reluctant.Reason);
    }

    [Theory]
    [InlineData(1, 3, 0, 1, 0, "1P+3D")]
    [InlineData(1, 3, 0, 4, 0, "1P+3D")]
    [InlineData(1, 3, 0, 4, 128, "1P+3D G4 T128")]
    [InlineData(0, 0, 2, 4, 0, "2M G4")]
    [InlineData(0, 0, 2, 1, 0, "2M")]
    public void Label_ShowsOnlyTheKnobsThatMatter(int p, int d, int m, int g, int t, string expected) =>
        Assert.Equal(expected, Replanner.Label(new ClusterConfig(p, d, m, g, t)));

    [Fact]
    public void SameSetup_IgnoresGWhenNoPromptIsPrefilledLocally()
    {
        Assert.True(Replanner.SameSetup(new ClusterConfig(1, 1, 0, 1), new ClusterConfig(1, 1, 0, 8)));
        Assert.False(Replanner.SameSetup(new ClusterConfig(0, 0, 2, 1), new ClusterConfig(0, 0, 2, 8)));
        Assert.False(Replanner.SameSetup(new ClusterConfig(1, 1, 0, 1, 128), new ClusterConfig(1, 1, 0, 1, 0)));
        Assert.False(Replanner.SameSetup(new ClusterConfig(1, 1, 0), new ClusterConfig(0, 0, 2)));
    }
}
