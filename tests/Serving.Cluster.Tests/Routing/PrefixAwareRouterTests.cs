using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Serving.Cluster.Routing;
using Serving.Contracts;
using Serving.Model.Caching;

namespace Serving.Cluster.Tests.Routing;

/// <summary>The router with the <c>prefix-aware</c> policy, in a real (in-process) Orleans test cluster: workers publish their cached blocks, the router weighs them against load.</summary>
public sealed class PrefixAwareRouterTests : RouterCluster<PrefixAwareRouterTests.SiloSetup>
{
    const int BlockSize = 16;

    public sealed class SiloSetup : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.ConfigureServices(s =>
            s.AddSingleton(new RoutingOptions { Policy = AssignmentPolicies.PrefixAware }));
    }

    static int[] Tokens(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (i * 7919 + seed * 104729) % 50000)];

    Task Report(IRouterGrain router, string name, WorkerRole role, int usedBlocks = 0, long prefillTokens = 0) =>
        router.Report(new WorkerInfo(Key(name), role, "kv", KvBlockSize: BlockSize), new WorkerLoadReport(0, 0, 0, 100 - usedBlocks, 100, PrefillTokens: prefillTokens));

    Task<bool> Holds(IRouterGrain router, string name, int[] tokens, long epoch = 1) =>
        router.ReportCache(Key(name), new CachedBlocksUpdate(epoch, BlockHashes.OfPrompt(tokens, BlockSize), [], Snapshot: true));

    async Task<IRouterGrain> PairsAsync()
    {
        var router = Router();
        foreach (var (name, role) in new[] { ("prefill-0", WorkerRole.Prefill), ("prefill-1", WorkerRole.Prefill), ("decode-0", WorkerRole.Decode), ("decode-1", WorkerRole.Decode) })
            await Report(router, name, role);
        return router;
    }

    [Fact]
    public async Task AConversationsNextTurn_GoesToTheWorkersThatHoldItsHistory()
    {
        var router = await PairsAsync();
        var history = Tokens(640, 1);
        int[] nextTurn = [.. history, .. Tokens(100, 2)];
        Assert.True(await Holds(router, "prefill-1", history));
        Assert.True(await Holds(router, "decode-1", history));

        var a = await router.AssignPrompt(nextTurn);
        Assert.Equal(Key("prefill-1"), a.PrefillWorker);
        Assert.Equal(Key("decode-1"), a.DecodeWorker);
    }

    [Fact]
    public async Task ACacheHit_DoesNotOutweighAWorkerFarMoreLoaded()
    {
        var router = Router();
        await Report(router, "prefill-0", WorkerRole.Prefill, prefillTokens: 5000);
        await Report(router, "prefill-1", WorkerRole.Prefill);
        await Report(router, "decode-0", WorkerRole.Decode, usedBlocks: 98);
        await Report(router, "decode-1", WorkerRole.Decode);
        var history = Tokens(320, 3);
        await Holds(router, "prefill-0", history);
        await Holds(router, "decode-0", history);

        // 320 cached tokens save less than waiting for 5,000 queued prefill tokens; decode-0 has 2 free blocks for the 4 the rest needs.
        var a = await router.AssignPrompt([.. history, .. Tokens(50, 4)]);
        Assert.Equal(Key("prefill-1"), a.PrefillWorker);
        Assert.Equal(Key("decode-1"), a.DecodeWorker);
    }

    [Fact]
    public async Task WhatTheDecodeWorkerLacksIsShort_ItPrefillsLocally()
    {
        var router = await PairsAsync();
        await router.SetShortPromptThreshold(128);
        var history = Tokens(1000, 5);
        await Holds(router, "decode-0", history);

        // 1,100 tokens, 1,088 of them (68 blocks... all but the last partial) cached on decode-0: no prefill worker.
        var hit = await router.AssignPrompt([.. history, .. Tokens(100, 6)]);
        Assert.Equal(Key("decode-0"), hit.DecodeWorker);
        Assert.Null(hit.PrefillWorker);
        // The same length with nothing cached goes through the prefill pool.
        Assert.NotNull((await router.AssignPrompt(Tokens(1100, 7))).PrefillWorker);
    }

    [Fact]
    public async Task Deltas_ApplyOnTheSamePoolsIndexOnly()
    {
        var router = await PairsAsync();
        var a = Tokens(64, 8);
        var b = Tokens(64, 9);
        // A delta before any snapshot, or for another pool (a restarted engine), asks for a snapshot.
        Assert.False(await router.ReportCache(Key("decode-0"), new CachedBlocksUpdate(7, BlockHashes.OfPrompt(a, BlockSize), [], Snapshot: false)));
        Assert.True(await Holds(router, "decode-0", a, epoch: 7));
        Assert.False(await router.ReportCache(Key("decode-0"), new CachedBlocksUpdate(8, BlockHashes.OfPrompt(b, BlockSize), [], Snapshot: false)));
        Assert.False(await router.ReportCache(Key("nobody"), new CachedBlocksUpdate(7, [], [], Snapshot: false)));

        // Evicting a's blocks and adding b's moves the next request for b there.
        Assert.True(await router.ReportCache(Key("decode-0"), new CachedBlocksUpdate(7, BlockHashes.OfPrompt(b, BlockSize), BlockHashes.OfPrompt(a, BlockSize), Snapshot: false)));
        await router.SetShortPromptThreshold(32);
        var forB = await router.AssignPrompt([.. b, .. Tokens(8, 10)]);
        Assert.Equal(Key("decode-0"), forB.DecodeWorker);
        Assert.Null(forB.PrefillWorker);
        Assert.NotNull((await router.AssignPrompt([.. a, .. Tokens(8, 10)])).PrefillWorker);
    }

    [Fact]
    public void AWorkerWithoutRoomForTheRequest_ComesLast_EvenHoldingItsPrefix()
    {
        var policy = new PrefixAwarePolicy();
        var tokens = Tokens(400, 12);
        // 24 of 25 blocks cached, but not one block free: the request would wait for room there.
        var full = new WorkerState(new WorkerInfo("s|d0", WorkerRole.Decode, "kv", KvBlockSize: BlockSize)) { Load = new WorkerLoadReport(0, 4, 0, 0, 100) };
        full.CachedBlocks.UnionWith(BlockHashes.OfPrompt(tokens, BlockSize));
        var roomy = new WorkerState(new WorkerInfo("s|d1", WorkerRole.Decode, "kv", KvBlockSize: BlockSize)) { Load = new WorkerLoadReport(0, 4, 0, 60, 100) };
        var prompt = new RoutingPrompt(tokens);
        Assert.Same(roomy, policy.Choose([full, roomy], prompt));
        // Requests sent since the last report use up the room it reported.
        roomy.AssignedKvTokensSinceReport = 60 * BlockSize;
        Assert.Same(full, policy.Choose([full, roomy], prompt));
    }

    [Fact]
    public void Policy_CostsUncachedTokensPlusLoad()
    {
        var policy = new PrefixAwarePolicy(cacheWeight: 1, kvWeight: 0.5);
        var tokens = Tokens(200, 11);
        var holder = new WorkerState(new WorkerInfo("s|d0", WorkerRole.Decode, "kv", KvBlockSize: BlockSize)) { Load = new WorkerLoadReport(0, 1, 0, 90, 100) };
        holder.CachedBlocks.UnionWith(BlockHashes.OfPrompt(tokens, BlockSize));
        var idle = new WorkerState(new WorkerInfo("s|d1", WorkerRole.Decode, "kv", KvBlockSize: BlockSize)) { Load = new WorkerLoadReport(0, 0, 0, 100, 100) };
        var prompt = new RoutingPrompt(tokens);

        // 192 of 200 tokens cached (the block with the last token is always computed); 10 used blocks = 160 tokens of load.
        Assert.Equal(192, prompt.CachedTokens(holder));
        Assert.Equal(8 + 0.5 * 160, policy.Cost(holder, prompt));
        Assert.Equal(200, policy.Cost(idle, prompt));
        Assert.Same(holder, policy.Choose([idle, holder], prompt));
        Assert.Same(idle, new PrefixAwarePolicy(kvWeight: 2).Choose([idle, holder], prompt));
    }
}
