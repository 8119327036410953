using Serving.Planning.Model;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Simulation;

public sealed class SimulatorTests
{
    private static readonly ClusterConfig OnePrefillOneDecode = new(1, 1, 0);

    [Fact]
    public void Run_OneRequestDisaggregated_TtftIsPrefillPlusTransferAndTpotIsStepTime()
    {
        var profile = Profiles.Simple();

        var outcome = Simulator.Run(OnePrefillOneDecode, profile, [new SimRequest(0, 1.0, 100, 11)]).Requests.Single();

        var ttft = (0.01 + 0.001 * 100) + (100 * 1000 / 1e6 + 0.002);
        Assert.Equal(ttft, outcome.Ttft, 9);
        Assert.Equal(0.005 + 0.001, outcome.Tpot, 9);
        Assert.Equal(ttft + 10 * 0.006, outcome.E2e, 9);
        Assert.True(outcome.Completed);
    }

    [Fact]
    public void Run_DecodeCostGrowsWithContext_TpotIsMeanStepTime()
    {
        var profile = Profiles.Simple(decode: new DecodeModel(0.005, 0.001, 1e-5));

        var outcome = Simulator.Run(OnePrefillOneDecode, profile, [new SimRequest(0, 0, 100, 11)]).Requests.Single();

        // Step g (g = 1..10) runs over 100 + g cached tokens: the mean context is 105.5.
        Assert.Equal(0.006 + 1e-5 * 105.5, outcome.Tpot, 9);
    }

    [Fact]
    public void Run_OutputOfOneToken_TpotIsZeroAndE2eIsTtft()
    {
        var outcome = Simulator.Run(OnePrefillOneDecode, Profiles.Simple(), [new SimRequest(0, 0, 100, 1)]).Requests.Single();

        Assert.Equal(0, outcome.Tpot);
        Assert.Equal(outcome.Ttft, outcome.E2e, 12);
    }

    [Fact]
    public void Run_TwoSimultaneousRequests_PrefillTogetherAndDecodeTogether()
    {
        var profile = Profiles.Simple(prefill: new PrefillModel(0.01, 0.001, 1e-6));

        var result = Simulator.Run(OnePrefillOneDecode, profile, [new SimRequest(0, 0, 100, 5), new SimRequest(1, 0, 100, 5)]);

        var prefill = 0.01 + 0.001 * 200 + 1e-6 * 20_000;
        var ttft = prefill + 0.1 + 0.002;
        Assert.All(result.Requests, r => Assert.Equal(ttft, r.Ttft, 9));
        Assert.All(result.Requests, r => Assert.Equal(0.005 + 2 * 0.001, r.Tpot, 9));
    }

    [Fact]
    public void Run_TokenBudgetFitsOnePrompt_SecondRequestWaitsForFirstBatch()
    {
        var config = OnePrefillOneDecode with { MaxBatchedPrefillTokens = 100 };

        var result = Simulator.Run(config, Profiles.Simple(), [new SimRequest(0, 0, 100, 2), new SimRequest(1, 0, 100, 2)]);

        Assert.Equal(0.11 + 0.102, result.Requests[0].Ttft, 9);
        Assert.Equal(0.22 + 0.102, result.Requests[1].Ttft, 9);
    }

    [Fact]
    public void Run_ArrivalsFasterThanPrefill_QueueGrowsAndTtftRisesLinearly()
    {
        // Prefill takes 0.11 s and requests come every 0.05 s: each waits 0.06 s longer than the one before.
        var config = OnePrefillOneDecode with { MaxBatchedPrefillTokens = 100 };
        var requests = Enumerable.Range(0, 20).Select(i => new SimRequest(i, i * 0.05, 100, 2)).ToArray();

        var result = Simulator.Run(config, Profiles.Simple(), requests);

        for (var i = 0; i < requests.Length; i++)
            Assert.Equal((i + 1) * 0.11 - i * 0.05 + 0.102, result.Requests[i].Ttft, 9);
    }

    [Fact]
    public void Run_ShortPromptUnderThreshold_PrefillsOnDecodeWorkerWithoutTransfer()
    {
        var config = OnePrefillOneDecode with { ShortPromptThreshold = 128 };

        var result = Simulator.Run(config, Profiles.Simple(), [new SimRequest(0, 0, 100, 2), new SimRequest(1, 10, 200, 2)]);

        Assert.Equal(0.11, result.Requests[0].Ttft, 9);
        Assert.Equal(0.21 + 0.202, result.Requests[1].Ttft, 9);
    }

    [Fact]
    public void Run_LayeredPrefillOnMixedWorker_PromptTakesGIterationsAndDecodeStallsOneGroup()
    {
        // B's 1000-token prompt (1.01 s of prefill) arrives while A's 10-token prompt (0.02 s) is prefilling; then A decodes in 0.01 s steps.
        var profile = Profiles.Simple(decode: new DecodeModel(0.01, 0, 0), groupOverhead: 0.001);
        var requests = new[] { new SimRequest(0, 0, 10, 200), new SimRequest(1, 0.01, 1000, 2) };

        var layered = Simulator.Run(new ClusterConfig(0, 0, 1, LayerGroups: 4), profile, requests).Requests;
        var prefillFirst = Simulator.Run(new ClusterConfig(0, 0, 1, LayerGroups: 1), profile, requests).Requests;

        var iteration = 0.01 + 1.01 / 4 + 0.001;
        var layeredA = 4 * (0.02 / 4 + 0.001);
        Assert.Equal(layeredA, layered[0].Ttft, 9);
        Assert.Equal(layeredA - 0.01 + 4 * iteration, layered[1].Ttft, 9);
        Assert.Equal(iteration, layered[0].MaxItl, 9);
        Assert.Equal(0.02 - 0.01 + 0.01 + 1.01, prefillFirst[1].Ttft, 9);
        Assert.Equal(0.01 + 1.01, prefillFirst[0].MaxItl, 9);
    }

    [Fact]
    public void Run_ChunkedPrefill_PromptTakesCeilLOverCIterations_EachChunkChargedItsAttentionShare()
    {
        // 100 tokens in chunks of 40, 40, 20; a chunk from p to p + c attends over p + c keys: (p + c)² − p² of len².
        var profile = Profiles.Simple(prefill: new PrefillModel(0.01, 0.001, 1e-6, PerPrompt: 0.002));

        var outcome = Simulator.Run(new ClusterConfig(0, 0, 1, PrefillChunkTokens: 40), profile, [new SimRequest(0, 0, 100, 2)]).Requests.Single();

        double Chunk(int p, int c) => 0.01 + 0.001 * c + 1e-6 * ((p + c) * (p + c) - p * p) + 0.002;
        Assert.Equal(Chunk(0, 40) + Chunk(40, 40) + Chunk(80, 20), outcome.Ttft, 9);
        Assert.Equal(0.005 + 0.001, outcome.Tpot, 9); // then one decode step, as a plain prefill's request
    }

    [Fact]
    public void Run_ChunkedPrefillOnMixedWorker_DecodeAdvancesEveryIterationAndStallsOneChunk()
    {
        // A decodes in 0.01 s steps; B's 1000-token prompt comes in chunks of 250 (0.26 s each) beside A's decodes.
        var profile = Profiles.Simple(decode: new DecodeModel(0.01, 0, 0));
        var requests = new[] { new SimRequest(0, 0, 10, 200), new SimRequest(1, 0.01, 1000, 2) };

        var chunked = Simulator.Run(new ClusterConfig(0, 0, 1, PrefillChunkTokens: 250), profile, requests).Requests;
        var prefillFirst = Simulator.Run(new ClusterConfig(0, 0, 1), profile, requests).Requests;

        // A's 10-token prompt is one chunk (0.02 s) and B arrives during it; then four iterations of decode + chunk.
        var iteration = 0.01 + 0.01 + 0.001 * 250;
        Assert.Equal(0.02, chunked[0].Ttft, 9);
        Assert.Equal(0.02 - 0.01 + 4 * iteration, chunked[1].Ttft, 9);
        Assert.Equal(iteration, chunked[0].MaxItl, 9);
        Assert.Equal(0.01 + 1.01, prefillFirst[0].MaxItl, 9);
    }

    [Fact]
    public void Run_ChunkedPrefill_SeveralPromptsShareOneChunkBudget()
    {
        // Two 30-token prompts with a budget of 40: the first whole and 10 of the second, then the second's last 20.
        var profile = Profiles.Simple(prefill: new PrefillModel(0.01, 0.001, 0));
        var requests = new[] { new SimRequest(0, 0, 30, 2), new SimRequest(1, 0, 30, 2) };

        var result = Simulator.Run(new ClusterConfig(0, 0, 1, PrefillChunkTokens: 40), profile, requests).Requests;

        Assert.Equal(0.01 + 0.040, result[0].Ttft, 9);
        // The second iteration decodes the first request (0.006) beside the last 20 tokens (0.03).
        Assert.Equal(0.01 + 0.040 + 0.006 + 0.01 + 0.020, result[1].Ttft, 9);
    }

    [Fact]
    public void Run_ChunkedPrefillUnderKvPressure_EvictsThePartlyPrefilledPromptFirst()
    {
        // A (10 tokens, 60 out) decodes while B's 60-token prompt comes in 4-token chunks and holds KV for all of it:
        // A outgrows the 80-token cache while B is still chunking. The engine evicts B, not the decode.
        var config = new ClusterConfig(0, 0, 1, KvCapacityTokens: 80, PrefillChunkTokens: 4);
        var requests = new[] { new SimRequest(0, 0, 10, 60), new SimRequest(1, 0.001, 60, 4) };

        var result = Simulator.Run(config, Profiles.Simple(), requests).Requests;

        Assert.Equal(0, result[0].Preemptions);
        Assert.True(result[1].Preemptions >= 1);
        Assert.All(result, r => Assert.True(r.Completed));
    }

    [Fact]
    public void ClusterConfig_ChunkedTogetherWithLayered_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ClusterConfig(0, 0, 1, LayerGroups: 2, PrefillChunkTokens: 64).Validate());
        Assert.Throws<ArgumentException>(() => new ClusterConfig(0, 0, 1, PrefillChunkTokens: -1).Validate());
    }

    [Fact]
    public void Run_KvCapacityRunsOut_PreemptsNewestAndStillCompletesBoth()
    {
        var config = new ClusterConfig(0, 0, 1, KvCapacityTokens: 80);
        var requests = new[] { new SimRequest(0, 0, 10, 50), new SimRequest(1, 0, 10, 50) };

        var tight = Simulator.Run(config, Profiles.Simple(), requests);
        var roomy = Simulator.Run(config with { KvCapacityTokens = 1000 }, Profiles.Simple(), requests);

        Assert.True(tight.Requests[1].Preemptions >= 1);
        Assert.Equal(0, tight.Requests[0].Preemptions);
        Assert.All(tight.Requests, r => Assert.True(r.Completed));
        Assert.Equal(0, roomy.Preemptions);
        Assert.True(tight.Requests[1].E2e > roomy.Requests[1].E2e);
    }

    [Fact]
    public void Run_RequestLargerThanKvCapacity_IsDroppedAndMissesSlo()
    {
        var config = new ClusterConfig(0, 0, 1, KvCapacityTokens: 100);

        var result = Simulator.Run(config, Profiles.Simple(), [new SimRequest(0, 0, 500, 5), new SimRequest(1, 0, 10, 5)]);

        Assert.False(result.Requests[0].Completed);
        Assert.True(result.Requests[1].Completed);
        Assert.Equal(0.5, result.Attainment(new Slo(10, 10)));
    }

    [Fact]
    public void Run_RequestOutgrowsKvCapacityAlone_IsDroppedInsteadOfHanging()
    {
        var config = new ClusterConfig(0, 0, 1, KvCapacityTokens: 100);

        var outcome = Simulator.Run(config, Profiles.Simple(), [new SimRequest(0, 0, 60, 80)]).Requests.Single();

        Assert.False(outcome.Completed);
        Assert.True(outcome.Preemptions >= 1);
    }

    [Fact]
    public void Run_RequestOutgrowsKvWhileATransferredOneWaits_DropsItAndServesTheWaitingOne()
    {
        // A (1000 tokens) decodes alone and outgrows the 1024-token cache; B arrived meanwhile and waits for room.
        var config = new ClusterConfig(1, 1, 0, KvCapacityTokens: 1024);
        var profile = Profiles.Simple(transfer: new TransferModel(1, 1e9, 0));

        var result = Simulator.Run(config, profile, [new SimRequest(0, 0, 1000, 100), new SimRequest(1, 0.001, 100, 10)]);

        Assert.False(result.Requests[0].Completed);
        Assert.True(result.Requests[1].Completed);
    }

    [Fact]
    public void Attainment_MixedOutcomes_CountsRequestsMeetingBothObjectives()
    {
        var result = new SimulationResult(
        [
            new RequestOutcome(0, 10, 10, Ttft: 0.1, Tpot: 0.01, E2e: 0.19, MaxItl: 0.01, Preemptions: 0, Completed: true),
            new RequestOutcome(1, 10, 10, Ttft: 0.3, Tpot: 0.01, E2e: 0.39, MaxItl: 0.01, Preemptions: 0, Completed: true),
            new RequestOutcome(2, 10, 10, Ttft: 0.1, Tpot: 0.06, E2e: 0.64, MaxItl: 0.1, Preemptions: 0, Completed: true),
            new RequestOutcome(3, 10, 10, Ttft: 0.2, Tpot: 0.05, E2e: 0.65, MaxItl: 0.05, Preemptions: 1, Completed: true),
        ], Makespan: 2);
        var slo = new Slo(0.2, 0.05);

        Assert.Equal(0.5, result.Attainment(slo));
        Assert.Equal(0.25, result.Attainment(slo with { MaxItlSeconds = 0.01 }));
        Assert.Equal(1.0, result.GoodRequestsPerSecond(slo));
        Assert.Equal(1, result.Preemptions);
    }

    [Fact]
    public void Run_TwoDecodeWorkers_TransfersGoToLeastLoaded()
    {
        var config = new ClusterConfig(1, 2, 0);
        var requests = new[] { new SimRequest(0, 0, 100, 50), new SimRequest(1, 0, 100, 50) };

        var result = Simulator.Run(config, Profiles.Simple(), requests);

        // Each decodes alone on its own worker: no batching cost in TPOT.
        Assert.All(result.Requests, r => Assert.Equal(0.006, r.Tpot, 9));
    }

    [Fact]
    public void Run_SameWorkload_GivesSameOutcomes()
    {
        var spec = new WorkloadSpec(new LogNormalLength(300, 0.8, 8, 4000), new UniformLength(2, 300));
        var requests = WorkloadGenerator.Generate(spec, rate: 20, count: 300, seed: 5);
        var config = new ClusterConfig(1, 1, 0, LayerGroups: 4, ShortPromptThreshold: 128, KvCapacityTokens: 20_000);

        var first = Simulator.Run(config, Profiles.Simple(), requests);
        var second = Simulator.Run(config, Profiles.Simple(), requests);

        Assert.Equal(first.Requests, second.Requests);
    }

    [Fact]
    public void Validate_NoDecodeCapableWorker_Throws()
    {
        Assert.Throws<ArgumentException>(() => Simulator.Run(new ClusterConfig(2, 0, 0), Profiles.Simple(), []));
    }
}
