namespace Serving.Bench;

/// <summary>
/// One side at one point: prefill of Size prompt tokens, or a decode step at batch Size. Samples are ms per rep
/// (for decode, the mean step time of that rep's steps).
/// </summary>
internal sealed record Measurement(string Kind, int Size, string Side, double[] SamplesMs)
{
    public double MedianMs { get; } = Median(SamplesMs);

    /// <summary>Tokens per second: prompt tokens per prefill, or one token per sequence per decode step.</summary>
    public double TokensPerSecond => Size / MedianMs * 1000;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
