namespace Serving.Engine.Execution;

/// <summary>
/// Splits a decode batch into groups of similar context length. Decode attention gathers each row's blocks into one
/// padded tensor per group, so one group costs rows × its longest context: a batch of contexts from 1,000 to 2,000
/// tokens in one group reads and scores a third more keys than it holds. Each extra group costs a few small kernels
/// per layer instead. The split minimizes padded blocks plus <see cref="GroupCostBlocks"/> per group (optimal over
/// rows sorted by length, where every best group is a contiguous run).
/// </summary>
internal static class DecodeGrouping
{
    /// <summary>
    /// What one more group costs, in padded blocks: per layer a gather, an attention call and a scatter more. On the
    /// tiny model on CPU (16-token blocks) costs of 8, 64 and 200 blocks all beat one padded group on mixed lengths
    /// (`Serving.Bench --suite decode-groups`), 8 least at batch 16; 32 sits between.
    /// </summary>
    public const int GroupCostBlocks = 32;

    /// <summary>At most this many groups, whatever the lengths.</summary>
    public const int MaxGroups = 8;

    /// <summary>
    /// Row indices of each group, rows ascending by <paramref name="blocks"/> within a group and groups in order of
    /// length. One group holding every row in its original order when splitting saves nothing.
    /// </summary>
    public static IReadOnlyList<int[]> Split(IReadOnlyList<int> blocks)
    {
        var n = blocks.Count;
        if (n <= 1)
            return [Enumerable.Range(0, n).ToArray()];
        var order = Enumerable.Range(0, n).OrderBy(i => blocks[i]).ToArray();

        // Rows of equal length never gain from being apart (a group's cost is its rows times its longest), so the
        // split is searched over runs of equal length: value[r] and rows before[r + 1] of the sorted order. That
        // keeps a batch of a thousand rows on a few dozen lengths cheap (over rows, the search is quadratic in the
        // batch: about 5 ms a step at 1,000 streams in GatewayBench).
        var values = new List<long>();
        var before = new List<int> { 0 };
        for (var i = 0; i < n; i++)
        {
            var b = blocks[order[i]];
            if (values.Count == 0 || values[^1] != b)
            {
                values.Add(b);
                before.Add(i + 1);
            }
            else
                before[^1] = i + 1;
        }
        var runs = values.Count;
        var groups = Math.Min(MaxGroups, runs);

        // best[k, t]: least cost of the first t runs in k groups; cut[k, t]: the run the last of them starts at.
        var best = new long[groups + 1, runs + 1];
        var cut = new int[groups + 1, runs + 1];
        for (var t = 1; t <= runs; t++)
            best[1, t] = before[t] * values[t - 1];
        for (var k = 2; k <= groups; k++)
            for (var t = k; t <= runs; t++)
            {
                best[k, t] = long.MaxValue;
                for (var r = k - 1; r < t; r++)
                {
                    var cost = best[k - 1, r] + (before[t] - before[r]) * values[t - 1];
                    if (cost < best[k, t])
                    {
                        best[k, t] = cost;
                        cut[k, t] = r;
                    }
                }
            }
        var chosen = 1;
        for (var k = 2; k <= groups; k++)
            if (best[k, runs] + (k - 1) * GroupCostBlocks < best[chosen, runs] + (chosen - 1) * GroupCostBlocks)
                chosen = k;
        if (chosen == 1)
            return [Enumerable.Range(0, n).ToArray()];

        var result = new int[chosen][];
        var end = runs;
        for (var k = chosen; k >= 1; k--)
        {
            var start = k == 1 ? 0 : cut[k, end];
            result[k - 1] = order[before[start]..before[end]];
            end = start;
        }
        return result;
    }
}
