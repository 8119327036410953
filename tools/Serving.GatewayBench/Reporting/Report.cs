using System.Globalization;
using System.Text;

namespace Serving.GatewayBench.Reporting;

/// <summary>The markdown table printed on stdout.</summary>
internal static class Report
{
    public static string Markdown(Summary summary, double intervalMs)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Latency the path adds per streamed token (fake engine, {intervalMs} ms interval; ms, medians of the reps)");
        md.AppendLine();
        md.AppendLine("| streams | errors | all open at once | added median | added p90 | added p99 | added mean | bunched gaps | engine loop's share (median) | token delivery median / p99 | streamed tokens/s | fake's lateness median / p99 | loop between steps median / p99 | CPU µs per token, server / client |");
        md.AppendLine("|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in summary.Levels)
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Streams:N0} | {r.Errors} | {r.AllOpenReps}/{r.Reps} | {r.AddedMedianMs:0.000} | {r.AddedP90Ms:0.000} | {r.AddedP99Ms:0.000} | {r.AddedMeanMs:0.000} | {r.BunchedShare:P0} | {r.ServerAddedMedianMs:0.000} | " +
                $"{r.DeliveryMedianMs:0.00} / {r.DeliveryP99Ms:0.00} | {r.TokensPerS:N0} | {r.FakeLateMedianMs:0.000} / {r.FakeLateP99Ms:0.000} | {r.LoopBetweenMedianMs:0.000} / {r.LoopBetweenP99Ms:0.000} | {r.ServerCpuUsPerToken:0.0} / {r.ClientCpuUsPerToken:0.0} |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Streamed tokens/s at saturation (the highest measured): {summary.SaturationTokensPerS:N0} at {summary.SaturationStreams:N0} streams.");
        md.AppendLine();
        foreach (var t in summary.Targets)
            md.AppendLine(CultureInfo.InvariantCulture, $"- {t.Target}: {(t.Met ? "met" : "**missed**")} — {t.Measured}");
        return md.ToString();
    }
}
