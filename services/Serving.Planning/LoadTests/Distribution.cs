namespace Serving.Planning.LoadTests;

/// <summary>Mean, median, standard deviation and the chosen percentiles of one metric, in milliseconds.</summary>
public sealed record Distribution(int Count, double Mean, double Median, double Std, double Min, double Max, IReadOnlyDictionary<string, double> Percentiles)
{
    /// <summary>"p99", "p99.9".</summary>
    public static string Label(double percentile) => "p" + percentile.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
