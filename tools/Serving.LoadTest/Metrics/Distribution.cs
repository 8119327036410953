namespace Serving.LoadTest.Metrics;

/// <summary>Mean, median, standard deviation and the chosen percentiles of one metric, in milliseconds.</summary>
internal sealed record Distribution(int Count, double Mean, double Median, double Std, double Min, double Max, IReadOnlyDictionary<string, double> Percentiles)
{
    public static Distribution Of(IEnumerable<double> values, IReadOnlyList<double> percentiles)
    {
        var sorted = values.Order().ToArray();
        var ps = percentiles.ToDictionary(p => Label(p), p => Round(Metrics.Percentiles.Of(sorted, p)));
        return new Distribution(sorted.Length, Round(Metrics.Percentiles.Mean(sorted)), Round(Metrics.Percentiles.Of(sorted, 50)),
            Round(Metrics.Percentiles.Std(sorted)), sorted.Length > 0 ? Round(sorted[0]) : 0, sorted.Length > 0 ? Round(sorted[^1]) : 0, ps);
    }

    /// <summary>"p99", "p99.9".</summary>
    public static string Label(double percentile) => "p" + percentile.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    static double Round(double v) => Math.Round(v, 3);
}
