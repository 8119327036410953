namespace Serving.LoadTest.Metrics;

/// <summary>Order statistics as numpy computes them, so our figures compare with <c>vllm bench serve</c>'s.</summary>
internal static class Percentiles
{
    /// <summary>numpy's default (linear) percentile of <paramref name="sorted"/> (ascending); 0 for no values, as vLLM reports.</summary>
    public static double Of(IReadOnlyList<double> sorted, double percentile)
    {
        if (sorted.Count == 0)
            return 0;
        var rank = percentile / 100.0 * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }

    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? 0 : values.Average();

    /// <summary>Population standard deviation (numpy's default ddof = 0).</summary>
    public static double Std(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }
}
