namespace Serving.GatewayBench.Reporting;

internal static class Percentiles
{
    /// <summary>Nearest-rank percentile of sorted values; NaN when there are none.</summary>
    public static double Of(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Round(double value, int digits = 3) => double.IsNaN(value) ? double.NaN : Math.Round(value, digits);
}
