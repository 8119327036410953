using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Engine.Tests.Support;
using static Serving.Engine.Tests.Support.StaggeredArrivals;

namespace Serving.Engine.Tests.Core;

public sealed class LayeredPrefillTests : PrefillModeTests
{
    protected override void TurnOn(LlmEngine engine) => engine.PrefillLayerGroups = 4;

    protected override int StepsToFirstToken(int tokens) => 4;

    protected override void Vary(LlmEngine engine, int step) => engine.PrefillLayerGroups = step % 3 + 1;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void Step_EveryGroupCount_GivesTheSameTokensAsMixedBatches(int groups) =>
        AssertTokensUnchangedBy(engine => engine.PrefillLayerGroups = groups);

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
    public void PrefillLayerGroups_OutsideOneToTheLayerCount_IsRefused()
    {
        using var engine = TestModels.Engine();
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.PrefillLayerGroups = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.PrefillLayerGroups = 9);
    }

    [Fact]
    public void HeldPrefill_WithLayeredPrefill_ExportsEachGroupAsItIsComputed()
    {
        var prompt = TestModels.Prompt(45, 1);
        var (expectedFirst, expectedKv) = HeldWhole(prompt);

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
        Assert.Equal(expectedKv, exports.SelectMany(e => e.Bytes.ToArray()).ToArray());
        foreach (var e in exports)
            e.Dispose();
        engine.Release("a");
        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }
}
