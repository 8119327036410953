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
