using CsCheck;
using Serving.Engine.Sampling;
using Serving.Model.Sampling;

namespace Serving.Engine.Tests.Sampling;

/// <summary>
/// The bucketed descending order against a full sort: the same tokens in the same order (ties: lower id first), and
/// top-k / top-p draws that pick what a walk over the fully sorted row picks.
/// </summary>
public sealed class DescendingOrderTests
{
    // Rows as the sampler makes them: values in (0, 1] with the most likely at 1, zeros where min-p cut, ties, values
    // a bucket apart and far below the rest.
    static readonly Gen<float[]> Rows = Gen.OneOf(
            Gen.Float[0f, 1f],
            Gen.Float[0.499f, 0.501f],
            Gen.Const(0f),
            Gen.Const(0.25f),
            Gen.Float[1e-30f, 1e-20f])
        .Array[1, 3000]
        .Select(row =>
        {
            row[Array.IndexOf(row, row.Max())] = 1f;
            return row;
        });

    [Fact]
    public void WalksEveryPositiveTokenInTheOrderOfAFullSort()
    {
        Rows.Sample(row =>
        {
            var order = new DescendingOrder();
            order.Build(row, row.Length);
            var expected = Reference(row);
            Assert.Equal(expected.Length, order.Count);
            var (walked, sum) = order.Walk(double.PositiveInfinity, int.MaxValue);
            Assert.Equal(expected.Length, walked);
            Assert.Equal(expected.Sum(i => (double)row[i]), sum, 6);
            for (var i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], order.At(i));
        }, iter: 300, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void StopsWhereTheRunningSumOfTheSortedRowReachesTheTarget()
    {
        Gen.Select(Rows, Gen.Double[0, 1.2], Gen.Int[1, 4000]).Sample((row, fraction, limit) =>
        {
            var order = new DescendingOrder();
            order.Build(row, row.Length);
            var expected = Reference(row);
            var total = expected.Sum(i => (double)row[i]);
            var target = fraction * total;
            var (walked, _) = order.Walk(target, limit);
            // The reference's sums run token by token; the walk adds whole buckets: accept only a stop whose running
            // sum straddles the target within rounding.
            var (refWalked, refSums) = Stop(row, expected, target, limit);
            if (walked != refWalked)
            {
                var near = Math.Abs(refSums[Math.Min(walked, refSums.Length) - 1] - target) <= 1e-9 * Math.Max(1, total);
                Assert.True(near, $"walked {walked}, a sorted walk {refWalked}, target {target}");
            }
        }, iter: 300, seed: "0N0XIzNsQ0O3");
    }

    [Theory]
    [InlineData(0, 0.9)]
    [InlineData(40, 1.0)]
    [InlineData(40, 0.8)]
    [InlineData(1, 1.0)]
    public void TopKAndTopPDrawsMatchAFullSort(int topK, double topP)
    {
        var random = new Random(topK * 1000 + (int)(topP * 100));
        var p = new SamplingParams { Temperature = 0.7, TopK = topK, TopP = topP };
        for (var trial = 0; trial < 200; trial++)
        {
            // Probabilities as the sampler makes them from logits (the most likely at 1), some cut to 0 by min-p.
            var probs = Enumerable.Range(0, 5000).Select(_ => random.NextDouble() < 0.1 ? 0f : MathF.Exp(-(float)random.NextDouble() * 12)).ToArray();
            probs[random.Next(probs.Length)] = 1f;
            var total = probs.Sum(x => (double)x);
            var u = random.NextDouble();
            Assert.Equal(ReferenceDraw(probs, total, p, u), Sampler.Pick(probs, probs.Length, total, p, u));
        }
    }

    static int[] Reference(float[] row) =>
        Enumerable.Range(0, row.Length).Where(i => row[i] > 0).OrderByDescending(i => row[i]).ThenBy(i => i).ToArray();

    static (int Walked, double[] Sums) Stop(float[] row, int[] sorted, double target, int limit)
    {
        var sums = new double[sorted.Length];
        double sum = 0;
        var stop = -1;
        for (var i = 0; i < sorted.Length; i++)
        {
            sum += row[sorted[i]];
            sums[i] = sum;
            if (stop < 0 && i < limit && sum >= target)
                stop = i + 1;
        }
        return (stop > 0 ? stop : Math.Min(limit, sorted.Length), sums);
    }

    /// <summary>The sampler's draw as it was before the buckets: a full sort, the top-k and top-p cuts, one walk.</summary>
    static int ReferenceDraw(float[] probs, double total, SamplingParams p, double u)
    {
        var sorted = Reference(probs);
        var keep = p.TopK > 0 ? Math.Min(p.TopK, sorted.Length) : sorted.Length;
        var kept = p.TopK > 0 ? sorted.Take(keep).Sum(i => (double)probs[i]) : total;
        if (p.TopP < 1)
        {
            double cum = 0;
            var n = 0;
            while (n < keep && cum < p.TopP * kept)
                cum += probs[sorted[n++]];
            keep = Math.Max(1, n);
            kept = cum;
        }
        var target = u * kept;
        double acc = 0;
        for (var i = 0; i < keep; i++)
        {
            acc += probs[sorted[i]];
            if (acc >= target)
                return sorted[i];
        }
        return sorted[keep - 1];
    }
}
