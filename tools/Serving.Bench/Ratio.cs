namespace Serving.Bench;

/// <summary>
/// Ours over llama.cpp's best configuration (named by LlamaCppSide) for one metric. Throughput: higher is better, so a target is a floor; step time: lower is
/// better, so a target is a ceiling.
/// </summary>
internal sealed record Ratio(string Metric, string Side, double Ours, string LlamaCppSide, double LlamaCpp, double? Target, bool HigherIsBetter)
{
    public double Value => Ours / LlamaCpp;

    public bool? TargetMet => Target is { } t ? (HigherIsBetter ? Value >= t : Value <= t) : null;
}
