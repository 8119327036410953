namespace Serving.LoadTest.ServerMetrics;

/// <summary>
/// One scrape of a server's Prometheus <c>/metrics</c>: the counter samples (those of counter or untyped families;
/// gauges, histograms and summaries left out, as are <c>_created</c> timestamps), for summing a family over its label sets.
/// </summary>
internal sealed class MetricsSnapshot
{
    readonly List<PrometheusSample> counters;

    public MetricsSnapshot(string text)
    {
        var types = PrometheusText.Types(text);
        counters = [.. PrometheusText.Parse(text).Where(s => IsCounter(s.Name, types))];
    }

    /// <summary>The sum of every sample whose name starts with <paramref name="prefix"/>; null when there is none.</summary>
    public double? Sum(string prefix)
    {
        var values = counters.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(s => s.Value).ToArray();
        return values.Length > 0 ? values.Sum() : null;
    }

    /// <summary>The sums of the samples whose name starts with <paramref name="prefix"/>, by the value of <paramref name="label"/> ("" when a sample has none).</summary>
    public Dictionary<string, double> SumBy(string prefix, string label) =>
        counters.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(s => s.Label(label), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value), StringComparer.Ordinal);

    /// <summary>GET <paramref name="baseUrl"/>metrics with the client's own headers (its bearer key); null when it does not answer 200 within 5 s.</summary>
    public static async Task<MetricsSnapshot?> TryScrapeAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync(new Uri(baseUrl, "metrics"), timeout.Token);
            return response.IsSuccessStatusCode ? new MetricsSnapshot(await response.Content.ReadAsStringAsync(timeout.Token)) : null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    static bool IsCounter(string name, Dictionary<string, string> types)
    {
        if (name.EndsWith("_created", StringComparison.Ordinal))
            return false;
        var type = types.GetValueOrDefault(name);
        foreach (var suffix in (ReadOnlySpan<string>)["_total", "_bucket", "_sum", "_count"])
            if (type is null && name.EndsWith(suffix, StringComparison.Ordinal))
                type = types.GetValueOrDefault(name[..^suffix.Length]);
        return type is "counter" or "untyped" || (type is null && !name.EndsWith("_bucket", StringComparison.Ordinal));
    }
}
