using System.Text;

namespace Serving.KvBench.Reporting;

/// <summary>The markdown tables printed on stdout.</summary>
internal static class Report
{
    public const double TargetMbPerS = 600;
    public const double TargetRatio = 0.35;
    /// <summary>Issue 16: TLS may cost at most 25% of the plaintext throughput.</summary>
    public const double TargetTlsShare = 0.75;

    public static string Markdown(Summary summary, IReadOnlyList<ThroughputSample> ceiling)
    {
        var md = new StringBuilder();
        Table(md, "KV throughput over loopback, gRPC path vs raw TCP (MB = 10^6 bytes)",
            "| transport | chunk | streams | gRPC MB/s | raw TCP MB/s | gRPC/raw | ≥ 600 MB/s | ≥ 0.35 raw | gRPC CPU s/GB | raw CPU s/GB |",
            "|---|---|---:|---:|---:|---:|:---:|:---:|---:|---:|",
            summary.Throughput.Select(r =>
                $"| {(r.Transport == "grpc" ? "grpc (push)" : r.Transport)} | {r.ChunkBytes >> 10} KiB | {r.Streams} | {r.GrpcMbPerS:0} | {r.TcpMbPerS:0} | {r.Ratio:0.00} | " +
                $"{Mark(r.GrpcMbPerS >= TargetMbPerS)} | {Mark(r.Ratio >= TargetRatio)} | {r.GrpcCpuSecondsPerGb:0.00} | {r.TcpCpuSecondsPerGb:0.00} |"));
        if (summary.Throughput.FirstOrDefault(r => r.Transport == "grpc-plain") is { } plain
            && summary.Throughput.FirstOrDefault(r => r.Transport == "grpc-tls") is { } tls)
            Table(md, "Mutual TLS beside plaintext: the same push, alternated in each repetition (medians)",
                "| transport | chunk | MB/s | CPU s/GB (both processes) | TLS / plaintext | TLS costs ≤ 25% |",
                "|---|---|---:|---:|---:|:---:|",
                [
                    $"| plaintext (h2c) | {plain.ChunkBytes >> 10} KiB | {plain.GrpcMbPerS:0} | {plain.GrpcCpuSecondsPerGb:0.00} | | |",
                    $"| mutual TLS | {tls.ChunkBytes >> 10} KiB | {tls.GrpcMbPerS:0} | {tls.GrpcCpuSecondsPerGb:0.00} | {tls.GrpcMbPerS / plain.GrpcMbPerS:0.00} | {Mark(tls.GrpcMbPerS >= TargetTlsShare * plain.GrpcMbPerS)} |",
                ]);
        Table(md, "gRPC ceiling on this machine: the same bytes with no KV work (medians)",
            "| direction | chunk | MB/s | CPU s/GB |",
            "|---|---|---:|---:|",
            ceiling.GroupBy(c => (c.Transport, c.ChunkBytes)).Select(g =>
                $"| {g.Key.Transport} | {g.Key.ChunkBytes >> 10} KiB | {Summary.Median(g.Select(c => c.MbPerS)):0} | {Summary.Median(g.Select(c => c.CpuSecondsPerGb)):0.00} |"));
        Table(md, "Prefill → decode handoff over gRPC (ms, medians)",
            "| prompt | groups | prefill | → 1st decode output | → 2nd output | start → 1st output | sender ack |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            summary.Handoff.Select(r =>
                $"| {r.PromptTokens} | {r.Groups} | {r.PrefillMs:0.0} | {r.HandoffFirstMs:0.0} | {r.HandoffSecondMs:0.0} | {r.EndToEndFirstMs:0.0} | {r.AcknowledgedMs:0.0} |"));
        Table(md, "Transfer hidden behind compute by layer-group streaming",
            "| prompt | groups | handoff G=1 (≈ transfer) | handoff streamed | exposed handoff cut | saved end-to-end | hidden (saved / transfer) |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            summary.Hidden.Select(r =>
                $"| {r.PromptTokens} | {r.Groups} | {r.TransferMs:0.0} ms | {r.StreamedHandoffMs:0.0} ms | {r.ExposedReduction:P0} | {r.SavedMs:0.0} ms | {r.HiddenFraction:P0} |"));
        return md.ToString();
    }

    // Tables follow one another with a blank line between them and none after the last.
    static void Table(StringBuilder md, string title, string header, string alignment, IEnumerable<string> rows)
    {
        if (md.Length > 0)
            md.AppendLine();
        md.AppendLine($"### {title}");
        md.AppendLine();
        md.AppendLine(header);
        md.AppendLine(alignment);
        foreach (var row in rows)
            md.AppendLine(row);
    }

    static string Mark(bool ok) => ok ? "yes" : "**no**";
}
