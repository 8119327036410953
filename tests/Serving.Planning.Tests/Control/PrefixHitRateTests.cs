using Serving.Planning.Control;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Control;

/// <summary>The window's prefix hit rate: measured from the observations, replayed, and planned with.</summary>
public sealed class PrefixHitRateTests
{
    private static readonly SearchSpace Splits = new(LayerGroups: [1], ShortPromptThresholds: [0]);
    private static readonly ClusterConfig OnePrefillThreeDecode = new(1, 3, 0);
    private static readonly ControlSettings Settings = new(new Slo(1.0, 0.05), PlanRequests: 100, Space: Splits);
    private static readonly WorkloadSpec Documents = new(new UniformLength(1024, 2048), new UniformLength(16, 64));

    /// <summary>What a cluster running the configuration would have observed: the simulator's own outcomes, cached tokens included.</summary>
    private static List<ObservedRequest> Observe(WorkloadSpec spec, double rate, int count)
    {
        var requests = WorkloadGenerator.Generate(spec, rate, count, seed: 3);
        var outcomes = Simulator.Run(OnePrefillThreeDecode, Profiles.Gpu(), requests).Requests;
        return [.. outcomes.Select(o => new ObservedRequest(
            1_700_000_000 + requests[o.Id].ArrivalTime, o.PromptTokens, o.OutputTokens, o.Ttft, o.Tpot, o.MaxItl, o.Completed, requests[o.Id].CachedTokens))];
    }

    [Fact]
    public void PrefixHitRate_IsCachedOverPromptTokensOfTheCompletedRequests()
    {
        ObservedRequest Request(int prompt, int cached, bool completed = true) => new(0, prompt, 8, 0.1, 0.01, 0.01, completed, cached);

        Assert.Equal(0.25, Replanner.PrefixHitRate([Request(1000, 500), Request(1000, 0), Request(4000, 0, completed: false)]), 12);
        Assert.Equal(1, Replanner.PrefixHitRate([Request(100, 150)]), 12); // a report past the prompt counts as the whole prompt
        Assert.Equal(0, Replanner.PrefixHitRate([Request(100, 0)]));
        Assert.Equal(0, Replanner.PrefixHitRate([]));
    }

    [Fact]
    public void Decide_WindowWithCachedPrefixes_ReplaysThemAndPlansWithTheHitRate()
    {
        var window = Observe(Documents with { PrefixHitRate = 0.75 }, rate: 6, count: 120);
        var expected = (double)window.Sum(r => r.CachedTokens) / window.Sum(r => r.PromptTokens);

        var d = Replanner.Decide(window, OnePrefillThreeDecode, Profiles.Gpu(), Settings);
        // The same requests as if nothing had been cached: the replay would prefill 4× the tokens the cluster did.
        var blind = Replanner.Decide([.. window.Select(r => r with { CachedTokens = 0 })], OnePrefillThreeDecode, Profiles.Gpu(), Settings);

        Assert.InRange(expected, 0.74, 0.75);
        Assert.Equal(expected, d.PrefixHitRate, 12);
        // To the matching's tolerance (0.1%): the replay's arrivals are the observed ones less the first, rounded.
        Assert.Equal(1, d.PrefillCorrection, 3);
        Assert.Equal(1, d.DecodeCorrection, 3);
        Assert.Equal(d.ObservedAttainment, d.PredictedAttainment, 2);
        Assert.Equal(0, blind.PrefixHitRate);
        Assert.True(blind.PrefillCorrection < 0.8, $"prefill ×{blind.PrefillCorrection:0.00} without the cached tokens");
    }

    [Fact]
    public void Decide_HighHitRate_PredictsMoreGoodputThanTheSameTrafficWithNone()
    {
        var cached = Replanner.Decide(Observe(Documents with { PrefixHitRate = 0.75 }, rate: 4, count: 100), OnePrefillThreeDecode, Profiles.Gpu(), Settings);
        var plain = Replanner.Decide(Observe(Documents, rate: 4, count: 100), OnePrefillThreeDecode, Profiles.Gpu(), Settings);

        Assert.Equal(0, plain.PrefixHitRate);
        Assert.True(cached.Current!.Goodput > 1.5 * plain.Current!.Goodput, $"{cached.Current.Goodput:0.##} vs {plain.Current.Goodput:0.##} req/s");
        Assert.True(cached.Best!.Goodput > plain.Best!.Goodput);
    }
}
