using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Engine.Tests.Support;
using static Serving.Engine.Tests.Support.StaggeredArrivals;

namespace Serving.Engine.Tests.Core;

public sealed class ChunkedPrefillTests : PrefillModeTests
{
    protected override void TurnOn(LlmEngine engine) => engine.PrefillChunkTokens = 16;

    protected override int StepsToFirstToken(int tokens) => (tokens + 15) / 16;

    protected override void Vary(LlmEngine engine, int step) => engine.PrefillChunkTokens = step % 3 * 8;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(64)]
    public void Step_EveryChunkSize_GivesTheSameTokensAsWholePrompts(int chunk) =>
        AssertTokensUnchangedBy(engine => engine.PrefillChunkTokens = chunk);

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
    public void PrefillChunkTokens_Negative_IsRefused()
    {
        using var engine = TestModels.Engine();
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
}
