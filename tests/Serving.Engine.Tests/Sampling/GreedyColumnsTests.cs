using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;
using Serving.Model.Sampling;
using TorchSharp;

namespace Serving.Engine.Tests.Sampling;

/// <summary>Greedy picks from the CPU LM head's transposed logits, read down the vocabulary, equal libtorch's argmax, ties included.</summary>
public sealed class GreedyColumnsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(32)]
    public void MatchesArgMaxOnTheRows(int rows)
    {
        var generator = new Random(rows);
        // Coarse values repeat, so many rows hold their maximum more than once: the first must win, as in libtorch.
        var values = Enumerable.Range(0, 3000 * rows).Select(_ => (float)Math.Round(generator.NextDouble() * 20) / 2).ToArray();
        using var columns = torch.tensor(values, [3000, rows]);
        using var logits = columns.t();
        var seqs = Enumerable.Range(0, rows).Select(i => new Sequence($"r{i}", [1, 2, 3], SamplingParams.Greedy(4))).ToList();

        var picked = Sampler.Sample(logits, seqs, new HashSet<int>());

        using var contiguous = logits.contiguous();
        using var expected = contiguous.argmax(1);
        for (var i = 0; i < rows; i++)
            Assert.Equal(expected[i].item<long>(), picked[i].TokenId);
    }
}
