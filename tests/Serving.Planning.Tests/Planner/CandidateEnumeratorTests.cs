using Serving.Planning.Planner;

namespace Serving.Planning.Tests.Planner;

public sealed class CandidateEnumeratorTests
{
    [Fact]
    public void Enumerate_DefaultSpace_CoversSplitsColocationAndGroupsUpToLayers()
    {
        var candidates = CandidateEnumerator.Enumerate(workers: 4, layers: 32, new SearchSpace());

        // Per batch-limit pair: 3 splits × (threshold 0 with G=1, plus 2 thresholds × 6 G) + colocated × 6 G = 45.
        Assert.Equal(45 * 4, candidates.Count);
        Assert.Equal(candidates.Count, candidates.Distinct().Count());
        Assert.All(candidates, c => Assert.Equal(4, c.Workers));
        Assert.Equal([1, 2, 4, 8, 16, 32], candidates.Select(c => c.LayerGroups).Distinct().Order());
        Assert.All(candidates.Where(c => c.PrefillWorkers > 0 && c.ShortPromptThreshold == 0), c => Assert.Equal(1, c.LayerGroups));
        Assert.All(candidates.Where(c => c.MixedWorkers > 0), c => Assert.Equal(0, c.ShortPromptThreshold));
    }

    [Fact]
    public void Enumerate_FewLayers_SkipsGroupCountsAboveLayers()
    {
        var candidates = CandidateEnumerator.Enumerate(2, 4, new SearchSpace(LayerGroups: [1, 2, 4, 8], Disaggregated: false));

        Assert.Equal([1, 2, 4], candidates.Select(c => c.LayerGroups).Distinct().Order());
    }
}
