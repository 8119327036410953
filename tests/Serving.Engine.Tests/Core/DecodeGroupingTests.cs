using Serving.Engine.Execution;
using Serving.Model.Sampling;
using Serving.Engine.Tests.Support;

namespace Serving.Engine.Tests.Core;

public sealed class DecodeGroupingTests
{
    [Fact]
    public void EqualLengths_StayOneGroupInOrder()
    {
        var groups = DecodeGrouping.Split([40, 40, 41, 40]);
        Assert.Equal([[0, 1, 2, 3]], groups);
    }

    [Fact]
    public void ShortAndLongRows_SplitByLength()
    {
        // One group: 4 rows × 100 blocks = 400; split: 2 × 2 + 2 × 100 + one group's cost.
        var groups = DecodeGrouping.Split([100, 2, 99, 1]);
        Assert.Equal(2, groups.Count);
        Assert.Equal([3, 1], groups[0]);
        Assert.Equal([2, 0], groups[1]);
    }

    [Fact]
    public void SmallSaving_IsNotWorthAGroup()
    {
        // Splitting [10] from [10 + GroupCostBlocks / 2] saves less than one group costs.
        Assert.Single(DecodeGrouping.Split([10, 10 + DecodeGrouping.GroupCostBlocks / 2]));
    }

    [Fact]
    public void ManyLengths_EveryRowInExactlyOneGroup_GroupsOrderedAndBounded()
    {
        var rng = new Random(3);
        var blocks = Enumerable.Range(0, 200).Select(_ => rng.Next(1, 400)).ToArray();
        var groups = DecodeGrouping.Split(blocks);

        Assert.InRange(groups.Count, 2, DecodeGrouping.MaxGroups);
        Assert.Equal(Enumerable.Range(0, blocks.Length), groups.SelectMany(g => g).Order());
        for (var i = 1; i < groups.Count; i++)
            Assert.True(groups[i - 1].Max(r => blocks[r]) <= groups[i].Min(r => blocks[r]), "groups are runs of the rows sorted by length");
        long Padded(IEnumerable<int[]> gs) => gs.Sum(g => (long)g.Length * g.Max(r => blocks[r]));
        Assert.True(Padded(groups) + (groups.Count - 1) * DecodeGrouping.GroupCostBlocks < Padded([Enumerable.Range(0, blocks.Length).ToArray()]));
    }

    [Theory]
    [InlineData(1, 20, 300)]     // lengths mostly distinct
    [InlineData(2, 60, 12)]      // many rows on few lengths
    [InlineData(3, 1000, 40)]    // a GPU-sized batch
    public void SplittingOverRunsOfEqualLength_CostsWhatTheBestSplitOverRowsCosts(int seed, int rows, int lengths)
    {
        var rng = new Random(seed);
        for (var trial = 0; trial < 30; trial++)
        {
            var blocks = Enumerable.Range(0, rows).Select(_ => rng.Next(1, lengths + 1) * 3).ToArray();
            var groups = DecodeGrouping.Split(blocks);
            Assert.Equal(Enumerable.Range(0, rows), groups.SelectMany(g => g).Order());
            Assert.Equal(BestOverRows(blocks), Cost(groups, blocks));
            if (blocks.Distinct().Count() == rows)
                Assert.Equal(RowsSplit(blocks), groups);
        }
    }

    static long Cost(IReadOnlyList<int[]> groups, int[] blocks) =>
        groups.Sum(g => (long)g.Length * g.Max(r => blocks[r])) + (groups.Count - 1) * DecodeGrouping.GroupCostBlocks;

    static long BestOverRows(int[] blocks) => Cost(RowsSplit(blocks), blocks);

    /// <summary>The split searched over every row of the sorted order, as it was before runs: quadratic in the rows.</summary>
    static IReadOnlyList<int[]> RowsSplit(int[] blocks)
    {
        var n = blocks.Length;
        var order = Enumerable.Range(0, n).OrderBy(i => blocks[i]).ToArray();
        var sorted = order.Select(i => (long)blocks[i]).ToArray();
        var groups = Math.Min(DecodeGrouping.MaxGroups, n);
        var best = new long[groups + 1, n + 1];
        var cut = new int[groups + 1, n + 1];
        for (var j = 1; j <= n; j++)
            best[1, j] = j * sorted[j - 1];
        for (var k = 2; k <= groups; k++)
            for (var j = k; j <= n; j++)
            {
                best[k, j] = long.MaxValue;
                for (var i = k - 1; i < j; i++)
                {
                    var cost = best[k - 1, i] + (j - i) * sorted[j - 1];
                    if (cost < best[k, j])
                    {
                        best[k, j] = cost;
                        cut[k, j] = i;
                    }
                }
            }
        var chosen = 1;
        for (var k = 2; k <= groups; k++)
            if (best[k, n] + (k - 1) * DecodeGrouping.GroupCostBlocks < best[chosen, n] + (chosen - 1) * DecodeGrouping.GroupCostBlocks)
                chosen = k;
        if (chosen == 1)
            return [Enumerable.Range(0, n).ToArray()];
        var result = new int[chosen][];
        var end = n;
        for (var k = chosen; k >= 1; k--)
        {
            var start = k == 1 ? 0 : cut[k, end];
            result[k - 1] = order[start..end];
            end = start;
        }
        return result;
    }

    [Fact]
    public void BatchOfMixedLengths_DecodesEachRowAsItDecodesAlone()
    {
        int[] lengths = [10, 400, 30, 380, 200, 15];
        Assert.True(DecodeGrouping.Split(lengths.Select(l => (l + 15) / 16).ToList()).Count > 1, "these lengths should be split into groups");
        var prompts = lengths.Select((l, i) => (IReadOnlyList<int>)TestModels.Prompt(l, 40 + i)).ToArray();
        var sampling = SamplingParams.Greedy(24) with { IgnoreEos = true };

        using var batched = TestModels.Engine();
        var together = batched.Generate(prompts, sampling);
        for (var i = 0; i < prompts.Length; i++)
        {
            using var alone = TestModels.Engine();
            Assert.Equal(alone.Generate([prompts[i]], sampling)[0], together[i]);
        }
        Assert.Equal(batched.NumTotalBlocks, batched.NumFreeBlocks);
    }
}
