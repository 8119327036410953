using LLama.Native;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using Xunit.Abstractions;

namespace Serving.Engine.Tests.Oracle;

/// <summary>
/// llama.cpp as an independent implementation of the same model: the default weights go through our GGUF writer,
/// both sides run greedy in float32 and must agree on every token and, within rounding, on every logit.
/// </summary>
public sealed class LlamaCppOracleTests(LlamaCppOracleFixture fixture, ITestOutputHelper output) : IClassFixture<LlamaCppOracleFixture>
{
    // Both sides compute in float32 (f32 weights, f32 KV cache); only the order of sums differs.
    const double Tolerance = 1e-3;
    const int Steps = 32;

    const string Text =
        "The river rose slowly through the night, and by morning the low fields along the valley were under water. " +
        "Farmers who had lived there for generations moved their animals to the hills, loaded what they could carry " +
        "onto carts, and waited for the rain to stop. In the town, the old stone bridge held, though the water came " +
        "within an arm's length of its arches. Children stood on the bank and watched branches, fences and once a " +
        "whole wooden shed drift past. By the third day the sky cleared, the water began to fall, and people walked " +
        "back down to see what remained of their homes, their gardens and the roads that connected the villages.";

    [Theory]
    [InlineData(5)]
    [InlineData(40)]
    [InlineData(120)]
    public void GreedyDecode_MatchesLlamaCpp_TokensAndLogits(int promptLength)
    {
        var engine = fixture.Engine;
        var all = engine.Encode(Text);
        Assert.True(all.Count >= promptLength, $"the text has only {all.Count} tokens");
        var prompt = all.Take(promptLength).ToArray();

        using var context = fixture.Weights.CreateContext(fixture.Parameters);

        var runner = engine.Runner;
        var blocks = engine.Scheduler.Blocks;
        var seq = new Sequence("oracle", prompt, SamplingParams.Greedy(Steps + 1));
        blocks.Allocate(seq);

        var batch = new LLamaBatch();
        for (var i = 0; i < prompt.Length; i++)
            batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);

        var maxDiff = 0f;
        var maxLogit = 0f;
        var worstStep = -1;
        var generated = new List<int>();
        for (var step = 0; step <= Steps; step++)
        {
            // Step 0 is the prefill; every later step decodes one token through the paged cache on our side.
            float[] ours;
            using (var logits = step == 0
                ? runner.Run(new ScheduledBatch([], [seq]))
                : runner.Run(new ScheduledBatch([seq], [])))
                ours = logits.squeeze(0).data<float>().ToArray();
            Assert.Equal(DecodeResult.Ok, context.Decode(batch));
            var theirs = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
            Assert.Equal(theirs.Length, ours.Length);

            var diff = MaxAbsDiff(ours, theirs);
            maxLogit = MathF.Max(maxLogit, ours.Max(MathF.Abs));
            if (diff > maxDiff)
                (maxDiff, worstStep) = (diff, step);
            var ourToken = ArgMax(ours);
            var theirToken = ArgMax(theirs);
            Assert.True(ourToken == theirToken, $"step {step}: ours picked {ourToken}, llama.cpp picked {theirToken} (max |Δlogit| so far {maxDiff:G3})");
            if (step == Steps)
                break;

            // The same token goes to both sides.
            generated.Add(ourToken);
            seq.Append(ourToken);
            blocks.Append(seq);
            batch.Clear();
            batch.Add(ourToken, seq.Length - 1, LLamaSeqId.Zero, true);
        }
        blocks.Free(seq);

        output.WriteLine($"prompt {promptLength} tokens, {Steps} greedy steps after prefill: tokens identical; " +
            $"max |Δlogit| = {maxDiff:G4} (step {worstStep}) over {Steps + 1} × {engine.Config.VocabSize} logits (max |logit| {maxLogit:G3})");
        output.WriteLine($"generated: {string.Join(' ', generated)}");
        Assert.True(maxDiff <= Tolerance, $"max |Δlogit| = {maxDiff} at step {worstStep} exceeds {Tolerance}");
    }

    static float MaxAbsDiff(float[] a, float[] b)
    {
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
            max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        return max;
    }

    static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
