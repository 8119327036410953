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
        var sorted = order.Select(i => (long)blocks[i]).ToArray();
        var groups = Math.Min(MaxGroups, n);

        // best[k, j]: least cost of the first j sorted rows in k groups; cut[k, j]: where the last of them starts.
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
            if (best[k, n] + (k - 1) * GroupCostBlocks < best[chosen, n] + (chosen - 1) * GroupCostBlocks)
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
}
