using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Engine.Tests.Support;
using static Serving.Engine.Tests.Support.StaggeredArrivals;

namespace Serving.Engine.Tests.Core;

/// <summary>
/// What every way of prefilling a prompt beside running decodes (chunked, layered) must keep: the tokens of whole
/// prompts, decodes that advance every step, aborts and preemptions that lose nothing, and a held prefill that exports
/// the whole prompt's KV. Each suite turns its mode on.
/// </summary>
public abstract class PrefillModeTests
{
    /// <summary>Turns the mode on with a setting that splits a 60-token prompt over several steps.</summary>
    protected abstract void TurnOn(LlmEngine engine);

    /// <summary>Steps a prompt of <paramref name="tokens"/> takes to its first token in this mode (<see cref="TurnOn"/>).</summary>
    protected abstract int StepsToFirstToken(int tokens);

    /// <summary>Changes the mode's setting between steps (<paramref name="step"/> counts them), switching it off on some.</summary>
    protected abstract void Vary(LlmEngine engine, int step);

    [Fact]
    public void Step_WhileALongPromptComesIn_RunningDecodesAdvanceEveryStep()
    {
        using var engine = TestModels.Engine();
        TurnOn(engine);
        // Long enough to outlast the long prompt's prefill.
        engine.AddRequest("short", TestModels.Prompt(5, 1), SamplingParams.Greedy(64) with { IgnoreEos = true });
        while (engine.Step().Count == 0)
        {
        }

        engine.AddRequest("long", TestModels.Prompt(300, 2), Greedy);
        var steps = StepsToFirstToken(300);
        Assert.True(steps > 1);
        for (var step = 1; step <= steps; step++)
        {
            var outputs = engine.Step();
            Assert.Single(outputs.Single(o => o.RequestId == "short").NewTokenIds);
            Assert.Equal(step == steps, outputs.Any(o => o.RequestId == "long"));
        }
    }

    [Fact]
    public void Abort_MidPrefill_FreesItsBlocks_AndLeavesTheOtherPromptsUnchanged()
    {
        var keep = TestModels.Prompt(50, 1);
        using var reference = TestModels.Engine();
        var expected = reference.Generate([keep], Greedy)[0];

        using var engine = TestModels.Engine(prefixCaching: false);
        TurnOn(engine);
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
        var before = engine.NumFreeBlocks;
        Assert.True(engine.Abort("gone"));
        Assert.Equal(before + 5, engine.NumFreeBlocks);

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
    public void TinyBlockPool_PreemptsByRecompute_AndCompletesEverySequenceUnchanged() =>
        TightPool.AssertPreemptsAndCompletesUnchanged(TurnOn);

    [Fact]
    public void Setting_ChangedBetweenSteps_KeepsTheTokens()
    {
        using var whole = TestModels.Engine();
        using var engine = TestModels.Engine();
        TurnOn(engine);
        var actual = Drive(engine, Greedy, onStep: step => Vary(engine, step));
        Assert.Equal(Drive(whole, Greedy), actual);
    }

    [Fact]
    public void HeldPrefill_ExportsTheWholePromptsKv_ByItsFirstToken()
    {
        var prompt = TestModels.Prompt(45, 1);
        var (expectedFirst, expectedKv) = HeldWhole(prompt);

        using var engine = TestModels.Engine();
        TurnOn(engine);
        var exports = new List<KvExport>();
        engine.KvExported = exports.Add;
        engine.AddRequest("a", prompt, Greedy, holdAfterPrefill: true);
        var steps = StepsToFirstToken(prompt.Length);
        for (var step = 1; step < steps; step++)
            Assert.Empty(engine.Step());
        Assert.Equal([expectedFirst], engine.Step().SelectMany(o => o.NewTokenIds));

        Assert.True(engine.IsHeld("a"));
        Assert.Equal(expectedKv, exports.SelectMany(e => e.Bytes.ToArray()).ToArray());
        foreach (var e in exports)
            e.Dispose();
        using var held = engine.ExportKv("a", 0, 8);
        Assert.Equal(expectedKv, held.Bytes.ToArray());
        engine.Release("a");
        Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
    }

    /// <summary>What an engine prefilling whole prompts gives <paramref name="prompt"/> held after its prefill: the first token and the KV of every layer.</summary>
    protected static (int First, byte[] Kv) HeldWhole(int[] prompt)
    {
        using var whole = TestModels.Engine();
        whole.AddRequest("a", prompt, Greedy, holdAfterPrefill: true);
        var first = whole.Step().Single().NewTokenIds[0];
        using var kv = whole.ExportKv("a", 0, whole.Config.NumLayers);
        return (first, kv.Bytes.ToArray());
    }

    /// <summary>Runs the staggered arrivals, greedy and seeded, with and without <paramref name="setting"/>: the same tokens, and no block left held.</summary>
    protected static void AssertTokensUnchangedBy(Action<LlmEngine> setting)
    {
        foreach (var sampling in new[] { Greedy, Seeded })
        {
            using var whole = TestModels.Engine();
            using var engine = TestModels.Engine();
            setting(engine);
            Assert.Equal(Drive(whole, sampling), Drive(engine, sampling));
            Assert.Equal(engine.NumTotalBlocks, engine.NumFreeBlocks);
        }
    }
}
