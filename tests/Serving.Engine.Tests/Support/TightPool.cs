using Serving.Engine.Core;
using Serving.Model.Sampling;

namespace Serving.Engine.Tests.Support;

/// <summary>Six prompts that a 12-block pool cannot hold at once, so running them all preempts and recomputes.</summary>
internal static class TightPool
{
    /// <summary>
    /// Runs the prompts on a tight pool (set up by <paramref name="setUp"/>) and checks that it preempted, that every
    /// sequence got the tokens a roomy pool gives, and that neither pool holds a block afterwards.
    /// </summary>
    public static void AssertPreemptsAndCompletesUnchanged(Action<LlmEngine>? setUp = null)
    {
        var prompts = Enumerable.Range(0, 6).Select(i => (IReadOnlyList<int>)TestModels.Prompt(20 + 7 * i, 100 + i)).ToArray();
        var sampling = SamplingParams.Greedy(40) with { IgnoreEos = true };
        using var roomy = TestModels.Engine(numBlocks: 256);
        var expected = roomy.Generate(prompts, sampling);

        using var tight = TestModels.Engine(numBlocks: 12);
        setUp?.Invoke(tight);
        var actual = tight.Generate(prompts, sampling);

        Assert.True(tight.NumPreemptions > 0, "the pool was meant to be too small to run everything at once");
        Assert.Equal(expected, actual);
        Assert.Equal(tight.NumTotalBlocks, tight.NumFreeBlocks);
        Assert.Equal(roomy.NumTotalBlocks, roomy.NumFreeBlocks);
    }
}
