using Serving.Engine.Engine;
using Serving.Engine.Sampling;
using Serving.Engine.Tests.Support;
using static Serving.Engine.Tests.Support.StaggeredArrivals;

namespace Serving.Engine.Tests.Engine;

public sealed class ChunkedPrefillTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(64)]
    public void Step_EveryChunkSize_GivesTheSameTokensAsWholePrompts(int chunk)
    {
        foreach (var sampling in new[] { Greedy, Seeded })
        {
            using var whole = TestModels.Engine();
            using var chunked = TestModels.Engine();
            chunked.PrefillChunkTokens = chunk;
            Assert.Equal(Drive(whole, sampling), Drive(chunked, sampling));
            Assert.Equal(chunked.NumTotalBlocks, chunked.NumFreeBlocks);
        }
    }

    [Theory]
    [InlineData(60, 16)]
    [InlineData(64, 16)]
    [InlineData(60, 7)]
    [InlineData(60, 100)]
    public void Step_APromptAlone_SamplesItsFirstTokenAfterCeilLOverCSteps(int length, int chunk)
    {
        using var engine = TestModels.Engine();
        engine.PrefillChunkTokens = chunk;
        engine.AddRequest("a", TestModels.Prompt(length, 1), Greedy);
        var steps = (length + chunk - 1) / chunk;
        for (var step = 1; step < steps; step++)
        {
            Assert.Empty(engine.Step());
            Assert.Equal(1, engine.NumRunning);
        }
        var first = Assert.Single(engine.Step());
        Assert.Single(first.NewTokenIds);
    }

    [Fact]
    public void LastStep_ChargesEachChunkItsRowsAttentionOverThePromptSoFar()
    {
        // 60 tokens in chunks of 16: rows p..p+c attend over p+c keys, (p + c)² − p² of the whole prompt's 60².
        using var engine = TestModels.Engine();
        engine.PrefillChunkTokens = 16;
        engine.AddRequest("a", TestModels.Prompt(60, 1), Greedy);
        var steps = new List<StepStats>();
        for (var i = 0; i < 4; i++)
        {
            engine.Step();
            steps.Add(engine.LastStep);
        }

        Assert.Equal([16L, 16, 16, 12], steps.Select(s => s.PrefillTokens));
        Assert.Equal([16.0 * 16, 32.0 * 32 - 16 * 16, 48.0 * 48 - 32 * 32, 60.0 * 60 - 48 * 48], steps.Select(s => s.PrefillSumSquares));
        Assert.Equal(60.0 * 60, steps.Sum(s => s.PrefillSumSquares));
    }

    [Fact]
    public void Step_WhileALongPromptIsChunkedIn_RunningDecodesAdvanceEveryStep()
    {
        using var engine = TestModels.Engine();
        engine.PrefillChunkTokens = 64;
        engine.AddRequest("short", TestModels.Prompt(5, 1), Greedy);
        engine.Step();

        engine.AddRequest("long", TestModels.Prompt(300, 2), Greedy);
        for (var step = 1; step <= 5; step++)
        {
            var outputs = engine.Step();
            Assert.Single(outputs.Single(o => o.RequestId == "short").NewTokenIds);
            Assert.Equal(step == 5, outputs.Any(o => o.RequestId == "long"));
        }
    }

    [Fact]
    public void Abort_MidChunking_FreesItsBlocks_AndLeavesTheOtherPromptsUnchanged()
    {
        var keep = TestModels.Prompt(50, 1);
        using var reference = TestModels.Engine();
        var expected = reference.Generate([keep], Greedy)[0];

        using var engine = TestModels.Engine(prefixCaching: false);
        engine.PrefillChunkTokens = 16;
        var tokens = new List<int>();
        void Step()
        {
            foreach (var o in engine.Step())
                if (o.RequestId == "keep")
                    tokens.AddRange(o.NewTokenIds);
        }
        engine.AddRequest("gone", TestModels.Prompt(80, 2), Greedy);
        engine.AddRequest("keep", keep, Greedy);
        Step();
        Step();
        var before = engine.NumFreeBlocks;
        Assert.True(engine.Abort("gone"));
        Assert.Equal(before + 5, engine.NumFreeBlocks);
        while (engine.HasUnfinishedRequests)
            Step();

        Assert.Equal(expected, tokens);
        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(32)]
    public void TinyBlockPool_WithChunkedPrefill_PreemptsByRecompute_AndCompletesEverySequenceUnchanged(int chunk)
    {
        var prompts = Enumerable.Range(0, 6).Select(i => (IReadOnlyList<int>)TestModels.Prompt(20 + 7 * i, 100 + i)).ToArray();
        var sampling = SamplingParams.Greedy(40) with { IgnoreEos = true };
        using var roomy = TestModels.Engine(numBlocks: 256);
        var expected = roomy.Generate(prompts, sampling);

        using var tight = TestModels.Engine(numBlocks: 12);
        tight.PrefillChunkTokens = chunk;
        var actual = tight.Generate(prompts, sampling);

        Assert.True(tight.NumPreemptions > 0, "the pool was meant to be too small to run everything at once");
        Assert.Equal(expected, actual);
        Assert.Equal(tight.NumTotalBlocks, tight.NumFreeBlocks);
    }

    [Fact]
    public void PrefillChunkTokens_ChangedBetweenSteps_KeepsTheTokens()
    {
        using var whole = TestModels.Engine();
        using var engine = TestModels.Engine();
        var actual = Drive(engine, Greedy, onStep: step => engine.PrefillChunkTokens = step % 3 * 8);
        Assert.Equal(Drive(whole, Greedy), actual);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.PrefillChunkTokens = -1);
    }

    [Fact]
    public void ChunkedAndLayeredPrefill_Together_AreRejected()
    {
        using var engine = TestModels.Engine();
        engine.PrefillChunkTokens = 16;
        Assert.Throws<ArgumentException>(() => engine.PrefillLayerGroups = 4);
        engine.PrefillChunkTokens = 0;
        engine.PrefillLayerGroups = 4;
        Assert.Throws<ArgumentException>(() => engine.PrefillChunkTokens = 16);

        var config = TestModels.Small();
        var options = new EngineOptions { Device = "cpu", DType = "float32", NumBlocks = 64, PrefillLayerGroups = 2, PrefillChunkTokens = 32 };
        Assert.Throws<ArgumentException>(() => new LlmEngine(config, new RandomWeights(config, 1), options));
    }

    [Fact]
    public void HeldPrefill_Chunked_ExportsItsWholeKvAfterTheLastChunk()
    {
        var prompt = TestModels.Prompt(45, 1);
        using var whole = TestModels.Engine();
        whole.AddRequest("a", prompt, Greedy, holdAfterPrefill: true);
        var expectedFirst = whole.Step().Single().NewTokenIds[0];
        using var expectedKv = whole.ExportKv("a", 0, 8);

        using var engine = TestModels.Engine();
        engine.PrefillChunkTokens = 16;
        var exports = new List<KvExport>();
        engine.KvExported = exports.Add;
        engine.AddRequest("a", prompt, Greedy, holdAfterPrefill: true);
        Assert.Empty(engine.Step());
        Assert.Empty(engine.Step());
        Assert.Empty(exports);
        Assert.Equal([expectedFirst], engine.Step().SelectMany(o => o.NewTokenIds));

        Assert.True(engine.IsHeld("a"));
        Assert.Equal(expectedKv.Bytes.ToArray(), exports.SelectMany(e => e.Bytes.ToArray()).ToArray());
        foreach (var e in exports)
            e.Dispose();
        using var held = engine.ExportKv("a", 0, 8);
        Assert.Equal(expectedKv.Bytes.ToArray(), held.Bytes.ToArray());
        engine.Release("a");
        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }
}
