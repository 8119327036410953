using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using Serving.Engine.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Tests.Model;

public sealed class LlamaModelTests
{
    // float32 throughout: different kernel shapes (one query row vs a whole prompt) reorder sums, nothing more.
    const double Tolerance = 1e-4;

    [Fact]
    public void IncrementalDecode_ThroughPagedCache_MatchesFullRecompute()
    {
        using var engine = TestModels.Engine(prefixCaching: false);
        var runner = engine.Runner;
        var blocks = engine.Scheduler.Blocks;
        var seq = new Sequence("inc", TestModels.Prompt(37, 1), SamplingParams.Greedy(40));
        blocks.Allocate(seq);

        var stepLogits = new List<Tensor> { Run(runner, [], [seq]) };
        for (var step = 0; step < 30; step++)
        {
            seq.Append((int)stepLogits[^1].argmax().item<long>());
            blocks.Append(seq);
            stepLogits.Add(Run(runner, [seq], []));
        }

        for (var step = 0; step < stepLogits.Count; step += 5)
        {
            var full = new Sequence($"full{step}", seq.Tokens.Take(37 + step).ToArray(), SamplingParams.Greedy(1));
            blocks.Allocate(full);
            using var reference = Run(runner, [], [full]);
            blocks.Free(full);
            var diff = stepLogits[step].sub(reference).abs().max().item<float>();
            Assert.True(diff <= Tolerance, $"step {step}: max |Δlogit| = {diff}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void RunningLayersInGroups_EqualsRunningThemAtOnce(int groups)
    {
        using var engine = TestModels.Engine(prefixCaching: false);
        var runner = engine.Runner;
        var blocks = engine.Scheduler.Blocks;
        var a = new Sequence("a", TestModels.Prompt(40, 2), SamplingParams.Greedy(1));
        var b = new Sequence("b", TestModels.Prompt(9, 3), SamplingParams.Greedy(1));
        blocks.Allocate(a);
        blocks.Allocate(b);
        using var whole = Run(runner, [], [a, b]);

        using var batch = runner.Prepare([], [a, b]);
        runner.Model.Begin(batch);
        var layers = runner.Model.NumLayers;
        for (var g = 1; g <= groups; g++)
            runner.Model.RunLayers(batch, layers * g / groups, runner.Cache);
        using var grouped = runner.Model.Logits(batch);

        Assert.Equal(0f, grouped.sub(whole).abs().max().item<float>());
    }

    [Fact]
    public void Batch_GivesEachSequenceTheSameLogitsAsAlone()
    {
        using var engine = TestModels.Engine(prefixCaching: false);
        var runner = engine.Runner;
        var blocks = engine.Scheduler.Blocks;
        var seqs = new[] { 5, 17, 33, 64 }.Select((n, i) => new Sequence($"s{i}", TestModels.Prompt(n, 10 + i), SamplingParams.Greedy(8))).ToArray();
        foreach (var s in seqs)
            blocks.Allocate(s);

        // Prefill all together, then decode all together for a few steps; compare with each run alone in fresh blocks.
        var together = new List<Tensor> { Run(runner, [], seqs) };
        for (var step = 0; step < 4; step++)
        {
            var next = together[^1].argmax(1).data<long>().ToArray();
            for (var i = 0; i < seqs.Length; i++)
            {
                seqs[i].Append((int)next[i]);
                blocks.Append(seqs[i]);
            }
            together.Add(Run(runner, seqs, []));
        }

        for (var i = 0; i < seqs.Length; i++)
        {
            var alone = new Sequence($"alone{i}", seqs[i].Tokens.Take(seqs[i].PromptLength).ToArray(), SamplingParams.Greedy(8));
            blocks.Allocate(alone);
            var logits = Run(runner, [], [alone]);
            for (var step = 0; step <= 4; step++)
            {
                var diff = logits.squeeze(0).sub(together[step][i]).abs().max().item<float>();
                Assert.True(diff <= Tolerance, $"sequence {i} step {step}: max |Δlogit| = {diff}");
                if (step == 4)
                    break;
                alone.Append(seqs[i].Tokens[alone.Length]);
                blocks.Append(alone);
                logits = Run(runner, [alone], []);
            }
            blocks.Free(alone);
        }
    }

    static Tensor Run(Serving.Engine.Execution.ModelRunner runner, IReadOnlyList<Sequence> decodes, IReadOnlyList<Sequence> prefills) =>
        runner.Run(new ScheduledBatch(decodes, prefills));
}
