using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Simulation;

/// <summary>Requests whose prompt prefix a prefix cache holds (<see cref="SimRequest.CachedTokens"/>).</summary>
public sealed class PrefixCacheTests
{
    // Prefill 0.01 + 0.001·tokens + 1e-6·len² s; transfer 0.001 s per token + 0.002 s.
    private static readonly WorkerProfile Profile = Profiles.Simple(prefill: new PrefillModel(0.01, 0.001, 1e-6));

    [Fact]
    public void Run_CachedPrefix_PrefillComputesTheRestOverTheWholeContextAndTransfersOnlyTheRest()
    {
        var outcome = Simulator.Run(new ClusterConfig(1, 1, 0), Profile, [new SimRequest(0, 0, 100, 11, CachedTokens: 60)]).Requests.Single();

        // 40 tokens computed; their attention over all 100 keys is 100² − 60² of the len² term; 40 tokens' KV moved.
        var prefill = 0.01 + 0.001 * 40 + 1e-6 * (100 * 100 - 60 * 60);
        Assert.Equal(prefill + (40 * 0.001 + 0.002), outcome.Ttft, 9);
        Assert.Equal(0.006, outcome.Tpot, 9);
    }

    [Fact]
    public void Run_ShortPromptThreshold_ComparesTheUncachedTokens()
    {
        var config = new ClusterConfig(1, 1, 0, ShortPromptThreshold: 128);
        double Ttft(int cached) => Simulator.Run(config, Profile, [new SimRequest(0, 0, 1000, 2, cached)]).Requests.Single().Ttft;

        // 100 uncached tokens: the decode worker prefills them itself, no transfer.
        Assert.Equal(0.01 + 0.001 * 100 + 1e-6 * (1e6 - 900 * 900), Ttft(900), 9);
        // 200 uncached: the prefill pool, then their KV.
        Assert.Equal(0.01 + 0.001 * 200 + 1e-6 * (1e6 - 800 * 800) + (200 * 0.001 + 0.002), Ttft(800), 9);
        // The whole prompt of 1,000: the prefill pool.
        Assert.Equal(0.01 + 1 + 1 + (1000 * 0.001 + 0.002), Ttft(0), 9);
    }

    [Fact]
    public void Run_ChunkedPrefill_ChunksStartAfterTheCachedPrefix()
    {
        var config = new ClusterConfig(0, 0, 1, PrefillChunkTokens: 256);

        var outcome = Simulator.Run(config, Profile, [new SimRequest(0, 0, 1000, 2, CachedTokens: 600)]).Requests.Single();

        // Two chunks, 600 → 856 and 856 → 1000, each attending over everything before it.
        var first = 0.01 + 0.001 * 256 + 1e-6 * (856.0 * 856 - 600 * 600);
        var second = 0.01 + 0.001 * 144 + 1e-6 * (1000.0 * 1000 - 856 * 856);
        Assert.Equal(first + second, outcome.Ttft, 9);
    }

    [Fact]
    public void Run_WholePromptCached_StillComputesItsLastToken()
    {
        var outcome = Simulator.Run(new ClusterConfig(0, 0, 1), Profile, [new SimRequest(0, 0, 100, 2, CachedTokens: 100)]).Requests.Single();

        Assert.Equal(0.01 + 0.001 + 1e-6 * (100 * 100 - 99 * 99), outcome.Ttft, 9);
    }

    [Fact]
    public void Run_HighHitRate_LowerTtftAndHigherGoodputThanNone()
    {
        // Documents of 2,048 tokens on 1P+1D: prefill is the bottleneck, and a conversation's earlier turns cut it by 80%.
        var plain = new WorkloadSpec(new UniformLength(1536, 2560), new FixedLength(32));
        var cached = plain with { PrefixHitRate = 0.8 };
        var config = new ClusterConfig(1, 1, 0);
        var slo = new Slo(1.0, 0.05);
        double MedianTtft(WorkloadSpec spec) =>
            Simulator.Run(config, Profiles.Gpu(), WorkloadGenerator.Generate(spec, rate: 2, count: 200, seed: 1)).Requests.Select(r => r.Ttft).Order().ElementAt(100);
        double Goodput(WorkloadSpec spec) => PlacementPlanner.Evaluate(config, Profiles.Gpu(), new PlanRequest(2, slo, spec, RequestCount: 150)).Goodput;

        Assert.True(MedianTtft(cached) < 0.5 * MedianTtft(plain), $"{MedianTtft(cached)} vs {MedianTtft(plain)}");
        var (withHits, without) = (Goodput(cached), Goodput(plain));
        Assert.True(without > 0);
        Assert.True(withHits > 1.5 * without, $"{withHits} vs {without} req/s");
    }
}
