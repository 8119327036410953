namespace Serving.LoadTest.ServerMetrics;

/// <summary>One series of a Prometheus scrape: its metric name, labels and value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}
