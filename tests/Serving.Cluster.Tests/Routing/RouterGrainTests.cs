using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Serving.Contracts;
using Serving.Cluster.Placement;
using Serving.Cluster.Routing;

namespace Serving.Cluster.Tests.Routing;

/// <summary>The router grain (least-loaded) in a real (in-process) Orleans test cluster.</summary>
public sealed class RouterGrainTests : RouterCluster<RouterGrainTests.SiloSetup>
{
    /// <summary>The silo's clock: real time plus whatever a test skips ahead (the cluster runs in this process).</summary>
    sealed class SkippableClock : TimeProvider
    {
        public static readonly SkippableClock Instance = new();
        TimeSpan skipped;

        public void Skip(TimeSpan by) => skipped += by;

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skipped;
    }

    public sealed class SiloSetup : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo) => silo.ConfigureServices(s =>
        {
            // The stall timeout the tests below skip past.
            s.AddSingleton(new RoutingOptions { Policy = "least-loaded", StallTimeout = TimeSpan.FromSeconds(10) });
            s.AddSingleton<TimeProvider>(SkippableClock.Instance);
        });
    }

    static WorkerLoadReport Load(int queued, int free = 100) => new(queued, 0, 0, free, 100);

    // A heartbeat from a worker of this silo: its role and load (queued requests, free KV blocks of 100).
    Task Report(IRouterGrain router, string name, WorkerRole role, int queued = 0, int free = 100) =>
        router.Report(new WorkerInfo(Key(name), role, "kv"), Load(queued, free));

    // A fresh router that knows one idle prefill worker, prefill-0, and one idle decode worker, decode-0.
    async Task<IRouterGrain> SplitRouterAsync()
    {
        var router = Router();
        await Report(router, "prefill-0", WorkerRole.Prefill);
        await Report(router, "decode-0", WorkerRole.Decode);
        return router;
    }

    [Fact]
    public async Task WithPrefillAndDecodeWorkers_AssignsAPair_TheLeastLoadedOfEach()
    {
        var router = Router();
        await Report(router, "prefill-0", WorkerRole.Prefill, queued: 5);
        await Report(router, "prefill-1", WorkerRole.Prefill, queued: 1);
        await Report(router, "decode-0", WorkerRole.Decode, free: 10);
        await Report(router, "decode-1", WorkerRole.Decode, free: 90);

        var a = await router.Assign(100);

        Assert.Equal(Key("prefill-1"), a.PrefillWorker);
        Assert.Equal(Key("decode-1"), a.DecodeWorker); // equal queues: more free KV blocks wins
    }

    [Fact]
    public async Task ABurst_IsSpreadBeforeTheNextHeartbeat()
    {
        var router = Router();
        await Report(router, "mixed-0", WorkerRole.Mixed);
        await Report(router, "mixed-1", WorkerRole.Mixed);

        var picks = new List<string>();
        for (var i = 0; i < 6; i++)
            picks.Add((await router.Assign(10)).DecodeWorker);

        Assert.Equal(3, picks.Count(p => p == Key("mixed-0")));
        Assert.Equal(3, picks.Count(p => p == Key("mixed-1")));
    }

    [Fact]
    public async Task IdleWorkers_TakeTurns_WhenEachRequestEndsBeforeTheNext()
    {
        // A light load: every heartbeat finds both workers idle again, so only the tie-break decides.
        var router = Router();
        var picks = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await Report(router, "mixed-0", WorkerRole.Mixed);
            await Report(router, "mixed-1", WorkerRole.Mixed);
            picks.Add((await router.Assign(10)).DecodeWorker);
        }

        Assert.Equal([Key("mixed-0"), Key("mixed-1"), Key("mixed-0"), Key("mixed-1"), Key("mixed-0"), Key("mixed-1")], picks);
    }

    [Fact]
    public async Task WithOnlyMixedWorkers_AssignsOneWithoutAPrefillWorker()
    {
        var router = Router();
        await Report(router, "mixed-0", WorkerRole.Mixed);
        var a = await router.Assign(10);
        Assert.Equal(Key("mixed-0"), a.DecodeWorker);
        Assert.Null(a.PrefillWorker);
    }

    [Fact]
    public async Task WithOnlyPrefillWorkers_OrNone_RefusesWithAReason()
    {
        var router = Router();
        var none = await Assert.ThrowsAsync<NoWorkersException>(() => router.Assign(10));
        Assert.Contains("no workers", none.Message);

        await Report(router, "prefill-0", WorkerRole.Prefill);
        var onlyPrefill = await Assert.ThrowsAsync<NoWorkersException>(() => router.Assign(10));
        Assert.Contains("only prefill workers", onlyPrefill.Message);
    }

    [Fact]
    public async Task AWorkerOnASiloMembershipDoesNotList_StaysWhileItReports_AndIsDroppedWhenItStops()
    {
        // Membership views lag (after Redis lost the table, silos re-learn each other over a few refreshes): a worker
        // that keeps reporting is trusted meanwhile; one that stops is dropped after the worker timeout (5 s).
        var router = Router();
        var unlisted = SiloAddress.New(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1), 42);
        await router.Report(new WorkerInfo(WorkerKey.For(unlisted, "decode-0"), WorkerRole.Decode, "kv"), Load(0));
        await Report(router, "decode-1", WorkerRole.Decode, queued: 50);
        Assert.Equal(2, (await router.Workers()).Length);

        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(6));
        await Report(router, "decode-1", WorkerRole.Decode, queued: 50);

        Assert.Equal(Key("decode-1"), (await router.Assign(10)).DecodeWorker);
        Assert.Single(await router.Workers());
    }

    [Fact]
    public async Task ASuspectWorker_IsAvoidedWhileOthersServe_UsedWhenAlone_AndClearedByLaterHeartbeats()
    {
        var router = Router();
        await Report(router, "decode-0", WorkerRole.Decode);
        await Report(router, "decode-1", WorkerRole.Decode, queued: 50);

        await router.Failed(Key("decode-0"));

        // The less loaded worker is passed over while it is suspect...
        Assert.Equal(Key("decode-1"), (await router.Assign(10)).DecodeWorker);
        // ...but a suspect is better than refusing: with every decode worker suspect, requests still go out.
        await router.Failed(Key("decode-1"));
        Assert.Contains((await router.Assign(10)).DecodeWorker, new[] { Key("decode-0"), Key("decode-1") });
        Assert.Equal(2, (await router.Workers()).Length);

        // Heartbeats well after the failure clear it.
        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(3));
        await Report(router, "decode-0", WorkerRole.Decode);
        await Report(router, "decode-1", WorkerRole.Decode, queued: 50);
        Assert.Equal(Key("decode-0"), (await router.Assign(10)).DecodeWorker);
    }

    [Fact]
    public async Task ADrainingPrefillWorker_GetsNoNewPrompts_TheDecodeWorkerPrefillsLocally_UntilItReportsItsNewRole()
    {
        var router = await SplitRouterAsync();

        await router.Drain(Key("prefill-0"), WorkerRole.Mixed, TimeSpan.FromSeconds(30));
        var during = await router.Assign(100);
        await Report(router, "prefill-0", WorkerRole.Mixed);
        var after = await router.Assign(100);

        Assert.Equal((Key("decode-0"), (string?)null), (during.DecodeWorker, during.PrefillWorker));
        Assert.Null(after.PrefillWorker);
        Assert.Equal(Key("prefill-0"), after.DecodeWorker); // mixed workers take colocated requests before a decode worker
    }

    [Fact]
    public async Task ADrainingDecodeWorker_IsPassedOver_WhileAnotherCanDecode_AndUsedWhenItIsTheLast()
    {
        var router = Router();
        await Report(router, "decode-0", WorkerRole.Decode);
        await Report(router, "mixed-0", WorkerRole.Mixed, queued: 40);
        await router.Drain(Key("decode-0"), WorkerRole.Prefill, TimeSpan.FromSeconds(30));
        var picks = new List<string>();
        for (var i = 0; i < 4; i++)
            picks.Add((await router.Assign(10)).DecodeWorker);

        var alone = Router();
        await Report(alone, "decode-0", WorkerRole.Decode);
        await alone.Drain(Key("decode-0"), WorkerRole.Prefill, TimeSpan.FromSeconds(30));

        Assert.All(picks, p => Assert.Equal(Key("mixed-0"), p));
        Assert.Equal(Key("decode-0"), (await alone.Assign(10)).DecodeWorker);
    }

    [Fact]
    public async Task AFailedSwitch_CancelsTheDrainAtOnce_AndAnUnreportedOne_ExpiresAfterItsTimeoutAndASecond()
    {
        var router = await SplitRouterAsync();
        await Report(router, "decode-1", WorkerRole.Decode, queued: 30);

        // The planner tells the router the switch failed: the worker takes work as its old role at once.
        await router.Drain(Key("prefill-0"), WorkerRole.Decode, TimeSpan.FromSeconds(30));
        Assert.Null((await router.Assign(100)).PrefillWorker);
        await router.Drain(Key("prefill-0"), WorkerRole.Prefill, TimeSpan.Zero);
        Assert.Equal(Key("prefill-0"), (await router.Assign(100)).PrefillWorker);

        // No word at all (the planner's silo died mid-switch): the drain lapses after its timeout plus a second.
        await router.Drain(Key("decode-0"), WorkerRole.Prefill, TimeSpan.FromSeconds(5));
        Assert.Equal(Key("decode-1"), (await router.Assign(100)).DecodeWorker);
        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(4));
        await Report(router, "decode-0", WorkerRole.Decode);
        await Report(router, "decode-1", WorkerRole.Decode, queued: 30);
        await Report(router, "prefill-0", WorkerRole.Prefill);
        Assert.Equal(Key("decode-1"), (await router.Assign(100)).DecodeWorker);
        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(2.5));
        await Report(router, "decode-0", WorkerRole.Decode);
        await Report(router, "decode-1", WorkerRole.Decode, queued: 30);
        await Report(router, "prefill-0", WorkerRole.Prefill);
        Assert.Equal(Key("decode-0"), (await router.Assign(100)).DecodeWorker);
    }

    [Fact]
    public async Task AWorkerWhoseEngineHasWorkButDoesNotMove_LeavesRouting_AndComesBackWhenItMoves()
    {
        var router = Router();
        Task Beat(string name, int queued, long iterations) =>
            router.Report(new WorkerInfo(Key(name), WorkerRole.Decode, "kv"), new WorkerLoadReport(queued, 0, 0, 100, 100, iterations));
        await Beat("decode-0", queued: 1, iterations: 10);
        await Beat("decode-1", queued: 20, iterations: 10);

        // Idle and still (nothing to do) is not stuck; busy and moving is not either.
        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(6));
        await Beat("decode-0", queued: 1, iterations: 10);
        await Beat("decode-1", queued: 20, iterations: 500);
        Assert.Equal(Key("decode-0"), (await router.Assign(10)).DecodeWorker);
        // Busy and still for longer than the stall timeout (10 s): out of routing, though it keeps reporting.
        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(5));
        await Beat("decode-0", queued: 1, iterations: 10);
        await Beat("decode-1", queued: 20, iterations: 900);
        for (var i = 0; i < 3; i++)
            Assert.Equal(Key("decode-1"), (await router.Assign(10)).DecodeWorker);
        // Moving again: back.
        await Beat("decode-0", queued: 0, iterations: 11);
        Assert.Equal(Key("decode-0"), (await router.Assign(10)).DecodeWorker);
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheBreaker_APrefillWorkerGetsNoPrompts_UntilTheCooldownEnds()
    {
        var router = await SplitRouterAsync();
        for (var i = 0; i < 3; i++)
            await router.Failed(Key("prefill-0"));
        // Even well past the suspicion period, with heartbeats that would clear a mere suspect.
        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(3));
        await Report(router, "prefill-0", WorkerRole.Prefill);
        await Report(router, "decode-0", WorkerRole.Decode);
        Assert.Null((await router.Assign(500)).PrefillWorker); // the decode worker prefills itself

        SkippableClock.Instance.Skip(TimeSpan.FromSeconds(8));
        await Report(router, "prefill-0", WorkerRole.Prefill);
        await Report(router, "decode-0", WorkerRole.Decode);
        Assert.Equal(Key("prefill-0"), (await router.Assign(500)).PrefillWorker);
    }

    [Fact]
    public async Task FailuresSpreadOverMoreThanTheWindow_DoNotOpenTheBreaker()
    {
        var router = await SplitRouterAsync();
        for (var i = 0; i < 3; i++)
        {
            await router.Failed(Key("prefill-0"));
            SkippableClock.Instance.Skip(TimeSpan.FromSeconds(6));
            await Report(router, "prefill-0", WorkerRole.Prefill);
            await Report(router, "decode-0", WorkerRole.Decode);
        }
        // Each failure made it a suspect for a moment only; three in 18 s are not three in 10 s.
        Assert.Equal(Key("prefill-0"), (await router.Assign(500)).PrefillWorker);
    }

    [Fact]
    public async Task PromptsUpToTheShortPromptThreshold_PrefillOnTheirDecodeWorker()
    {
        var router = await SplitRouterAsync();

        await router.SetShortPromptThreshold(128);

        Assert.Equal(128, await router.ShortPromptThreshold());
        Assert.Null((await router.Assign(128)).PrefillWorker);
        Assert.Equal(Key("prefill-0"), (await router.Assign(129)).PrefillWorker);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => router.SetShortPromptThreshold(-1));
    }

    [Fact]
    public async Task ALeavingWorker_GetsNoNewWork_EvenAsTheLastOfItsRole_AndIsNotListed()
    {
        var router = await SplitRouterAsync();
        await Report(router, "decode-1", WorkerRole.Decode, queued: 5);

        await router.Leave(Key("decode-0"));
        for (var i = 0; i < 4; i++)
            Assert.Equal(Key("decode-1"), (await router.Assign(10)).DecodeWorker);
        // Its next heartbeat (still reporting while it drains) keeps it out; so does the flag a report carries.
        await Report(router, "decode-0", WorkerRole.Decode);
        await router.Report(new WorkerInfo(Key("prefill-0"), WorkerRole.Prefill, "kv", Leaving: true), Load(0));
        var a = await router.Assign(10);
        Assert.Equal(Key("decode-1"), a.DecodeWorker);
        Assert.Null(a.PrefillWorker);
        Assert.Equal([Key("decode-1")], (await router.Workers()).Select(w => w.Worker.WorkerId));

        await router.Leave(Key("decode-1"));
        Assert.Contains("no workers", (await Assert.ThrowsAsync<NoWorkersException>(() => router.Assign(10))).Message);
    }

    [Fact]
    public async Task ANewRouter_WaitsForTheWorkersHeartbeats_RatherThanRefuse()
    {
        // A router that just moved (its silo stopped) knows no worker until the next heartbeats.
        var router = Router();
        var assign = router.Assign(10);
        await Task.Delay(300);
        Assert.False(assign.IsCompleted);
        await Report(router, "decode-0", WorkerRole.Decode);

        Assert.Equal(Key("decode-0"), (await assign).DecodeWorker);
    }

    [Fact]
    public void Policies_AreChosenByName()
    {
        Assert.IsType<LeastLoadedPolicy>(AssignmentPolicies.Create("least-loaded"));
        Assert.IsType<RoundRobinPolicy>(AssignmentPolicies.Create("round-robin"));
        Assert.IsType<PrefixAwarePolicy>(AssignmentPolicies.Create("prefix-aware"));
        Assert.Contains("unknown assignment policy", Assert.Throws<ArgumentException>(() => AssignmentPolicies.Create("random")).Message);
    }

    [Fact]
    public void RoundRobin_IgnoresLoad()
    {
        var workers = Enumerable.Range(0, 3).Select(i => new WorkerState(new WorkerInfo($"s|w{i}", WorkerRole.Decode, "kv")) { Load = Load(i * 10) }).ToList();
        var policy = new RoundRobinPolicy();
        var picks = Enumerable.Range(0, 6).Select(_ => policy.Choose(workers, new RoutingPrompt(1)).Info.WorkerId).ToList();
        Assert.Equal(2, picks.Count(p => p == "s|w2"));
    }
}
