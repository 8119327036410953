using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using Serving.Engine.Tests.Support;

namespace Serving.Engine.Tests.Core;

public sealed class ContinuousBatchingTests
{
    static readonly SamplingParams Greedy = SamplingParams.Greedy(20) with { IgnoreEos = true };

    [Fact]
    public void PrefixCacheHit_GivesTheSameOutputAsAMiss()
    {
        var shared = TestModels.Prompt(70, 3);
        var promptB = shared.Concat(TestModels.Prompt(9, 4)).ToArray();

        using var cold = TestModels.Engine(prefixCaching: false);
        var expected = cold.Generate([promptB], Greedy)[0];

        using var warm = TestModels.Engine();
        warm.Generate([shared], Greedy);
        warm.AddRequest("b", promptB, Greedy);
        var outputs = new List<int>();
        var cachedTokens = -1;
        while (warm.HasUnfinishedRequests)
            foreach (var o in warm.Step())
            {
                cachedTokens = cachedTokens < 0 ? o.CachedPromptTokens : cachedTokens;
                outputs.AddRange(o.NewTokenIds);
            }

        Assert.Equal(64, cachedTokens); // four full 16-token blocks of the shared 70-token prefix
        Assert.Equal(expected, outputs);
    }

    [Fact]
    public void WholePromptCached_StillComputesItsLastToken()
    {
        using var engine = TestModels.Engine();
        var prompt = TestModels.Prompt(48, 5); // exactly three blocks
        var first = engine.Generate([prompt], Greedy)[0];
        var second = engine.Generate([prompt], Greedy)[0];
        Assert.Equal(first, second);
    }

    [Fact]
    public void TinyBlockPool_PreemptsByRecompute_CompletesEverySequenceUnchanged_AndLeaksNothing() =>
        TightPool.AssertPreemptsAndCompletesUnchanged();

    [Fact]
    public void Abort_AtAnyPoint_FreesTheBlocks()
    {
        using var engine = TestModels.Engine();
        engine.AddRequest("waiting", TestModels.Prompt(30, 1), Greedy);
        Assert.True(engine.Abort("waiting"));

        engine.AddRequest("running", TestModels.Prompt(30, 2), Greedy);
        engine.AddRequest("other", TestModels.Prompt(10, 3), Greedy);
        engine.Step();
        engine.Step();
        Assert.True(engine.Abort("running"));
        Assert.False(engine.Abort("running"));

        engine.AddRequest("held", TestModels.Prompt(25, 4), Greedy, holdAfterPrefill: true);
        while (engine.HasUnfinishedRequests)
            engine.Step();
        Assert.True(engine.Abort("held"));

        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }

    [Fact]
    public void Stops_OnMaxTokens_StopTokenIds_AndEos_HonouringMinTokens()
    {
        using var engine = TestModels.Engine();
        var prompt = TestModels.Prompt(12, 9);
        var free = engine.Generate([prompt], Greedy)[0].ToList();

        var stopAt = free[5];
        var stopped = engine.Generate([prompt], Greedy with { StopTokenIds = [stopAt] })[0];
        Assert.Equal(free.Take(free.IndexOf(stopAt) + 1), stopped);

        var noEarlyStop = engine.Generate([prompt], Greedy with { StopTokenIds = [free[0]], MinTokens = 3, MaxTokens = 3 })[0];
        Assert.Equal(3, noEarlyStop.Count);
        Assert.DoesNotContain(free[0], noEarlyStop);

        var eosEngine = TestModels.Engine(config: TestModels.Small() with { EosTokenIds = [free[2]] });
        using (eosEngine)
        {
            var withEos = eosEngine.Generate([prompt], SamplingParams.Greedy(20))[0];
            Assert.Equal(free.Take(free.IndexOf(free[2]) + 1), withEos);
            Assert.Equal(20, eosEngine.Generate([prompt], SamplingParams.Greedy(20) with { IgnoreEos = true })[0].Count);
        }
    }

    [Fact]
    public void InvalidRequests_AreRefusedWithClearErrors()
    {
        using var engine = TestModels.Engine(numBlocks: 8);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => engine.AddRequest("a", [], Greedy)).Message);
        Assert.Contains("vocabulary", Assert.Throws<ArgumentException>(() => engine.AddRequest("b", [5000], Greedy)).Message);
        Assert.Contains("context length", Assert.Throws<ArgumentException>(() => engine.AddRequest("c", TestModels.Prompt(500, 1), Greedy)).Message);
        // prompt + max_tokens would wrap around in 32 bits and look like it fits.
        Assert.Contains("context length", Assert.Throws<ArgumentException>(() => engine.AddRequest("c2", [1, 2, 3], Greedy with { MaxTokens = int.MaxValue })).Message);
        Assert.Contains("KV blocks", Assert.Throws<ArgumentException>(() => engine.AddRequest("d", TestModels.Prompt(200, 1), Greedy)).Message);
        Assert.Contains("temperature", Assert.Throws<ArgumentException>(() => engine.AddRequest("e", [1], Greedy with { Temperature = -1 })).Message);
        Assert.False(engine.HasUnfinishedRequests);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public void Step_AsManyPromptsAsMaxNumSeqs_AreAllAdmittedInOneStep(int chunkTokens)
    {
        using var engine = TestModels.Engine(maxSeqs: 8);
        engine.PrefillChunkTokens = chunkTokens;
        for (var i = 0; i < 8; i++)
            engine.AddRequest($"r{i}", TestModels.Prompt(2, i), Greedy);

        engine.Step();

        Assert.Equal(0, engine.NumWaiting);
        Assert.Equal(8, engine.NumRunning);
    }
}
