using Serving.Engine.Engine;
using Serving.Engine.Sampling;
using Serving.Engine.Tests.Support;
using static Serving.Engine.Tests.Support.StaggeredArrivals;

namespace Serving.Engine.Tests.Engine;

public sealed class LayeredPrefillTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void Step_EveryGroupCount_GivesTheSameTokensAsMixedBatches(int groups)
    {
        foreach (var sampling in new[] { Greedy, Seeded })
        {
            using var mixed = TestModels.Engine();
            using var layered = TestModels.Engine();
            layered.PrefillLayerGroups = groups;
            Assert.Equal(Drive(mixed, sampling), Drive(layered, sampling));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public void Step_WithGGroups_SamplesTheFirstTokenAfterExactlyGSteps(int groups)
    {
        using var engine = TestModels.Engine();
        engine.PrefillLayerGroups = groups;
        engine.AddRequest("a", TestModels.Prompt(60, 1), Greedy);
        for (var step = 1; step < groups; step++)
            Assert.Empty(engine.Step());
        var first = Assert.Single(engine.Step());
        Assert.Single(first.NewTokenIds);
    }

    [Fact]
    public void Step_WhileALongPromptLayersIn_RunningDecodesAdvanceEveryStep()
    {
        using var engine = TestModels.Engine();
        engine.PrefillLayerGroups = 4;
        engine.AddRequest("short", TestModels.Prompt(5, 1), Greedy);
        for (var step = 0; step < 4; step++)
            engine.Step();

        engine.AddRequest("long", TestModels.Prompt(300, 2), Greedy);
        for (var step = 1; step <= 4; step++)
        {
            var outputs = engine.Step();
            Assert.Single(outputs.Single(o => o.RequestId == "short").NewTokenIds);
            Assert.Equal(step == 4, outputs.Any(o => o.RequestId == "long"));
        }
    }

    [Fact]
    public void Abort_MidLayering_FreesItsBlocks_AndLeavesTheOtherPromptsUnchanged()
    {
        var keep = TestModels.Prompt(50, 1);
        using var reference = TestModels.Engine();
        var expected = reference.Generate([keep], Greedy)[0];

        using var engine = TestModels.Engine();
        engine.PrefillLayerGroups = 4;
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
        Assert.True(engine.Abort("gone"));
        for (var step = 0; step < 3; step++)
            Step();
        Assert.Single(tokens);

        // The only prompt in flight: aborting it empties the prefill batch.
        engine.AddRequest("alone", TestModels.Prompt(30, 3), Greedy);
        Step();
        Assert.True(engine.Abort("alone"));
        while (engine.HasUnfinishedRequests)
            Step();

        Assert.Equal(expected, tokens);
        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }

    [Fact]
    public void TinyBlockPool_WithLayeredPrefill_PreemptsByRecompute_AndCompletesEverySequenceUnchanged()
    {
        var prompts = Enumerable.Range(0, 6).Select(i => (IReadOnlyList<int>)TestModels.Prompt(20 + 7 * i, 100 + i)).ToArray();
        var sampling = SamplingParams.Greedy(40) with { IgnoreEos = true };
        using var roomy = TestModels.Engine(numBlocks: 256);
        var expected = roomy.Generate(prompts, sampling);

        using var tight = TestModels.Engine(numBlocks: 12);
        tight.PrefillLayerGroups = 4;
        var actual = tight.Generate(prompts, sampling);

        Assert.True(tight.NumPreemptions > 0, "the pool was meant to be too small to run everything at once");
        Assert.Equal(expected, actual);
        Assert.Equal(tight.NumTotalBlocks, tight.NumFreeBlocks);
    }

    [Fact]
    public void PrefillLayerGroups_ChangedMidFlight_FinishesTheBatchInFlight_AndKeepsTheTokens()
    {
        using var mixed = TestModels.Engine();
        using var engine = TestModels.Engine();
        engine.PrefillLayerGroups = 4;
        var actual = Drive(engine, Greedy, onStep: step => engine.PrefillLayerGroups = step % 3 + 1);
        Assert.Equal(Drive(mixed, Greedy), actual);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.PrefillLayerGroups = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.PrefillLayerGroups = 9);
    }

    [Fact]
    public void HeldPrefill_WithLayeredPrefill_ExportsEachGroupAsItIsComputed()
    {
        var prompt = TestModels.Prompt(45, 1);
        using var mixed = TestModels.Engine();
        mixed.AddRequest("a", prompt, Greedy, holdAfterPrefill: true);
        var expectedFirst = mixed.Step().Single().NewTokenIds[0];
        using var whole = mixed.ExportKv("a", 0, 8);

        using var engine = TestModels.Engine();
        engine.PrefillLayerGroups = 4;
        var exports = new List<KvExport>();
        engine.KvExported = exports.Add;
        engine.AddRequest("a", prompt, Greedy, holdAfterPrefill: true);
        for (var step = 1; step <= 4; step++)
        {
            var outputs = engine.Step();
            Assert.Equal(step, exports.Count);
            Assert.Equal(step == 4 ? [expectedFirst] : [], outputs.SelectMany(o => o.NewTokenIds));
        }

        Assert.True(engine.IsHeld("a"));
        Assert.Equal([0, 2, 4, 6], exports.Select(e => e.FirstLayer));
        Assert.Equal(whole.Bytes.ToArray(), exports.SelectMany(e => e.Bytes.ToArray()).ToArray());
        foreach (var e in exports)
            e.Dispose();
        engine.Release("a");
        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }
}
