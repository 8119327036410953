namespace Serving.KvBench.Reporting;

/// <summary>Medians of the samples, the gRPC/raw ratio per chunk size, and how much of the transfer streaming hides.</summary>
internal sealed record Summary(IReadOnlyList<ThroughputRow> Throughput, IReadOnlyList<HandoffRow> Handoff, IReadOnlyList<HiddenRow> Hidden)
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static Summary Of(IReadOnlyList<ThroughputSample> throughput, IReadOnlyList<HandoffSample> handoff)
    {
        // Each gRPC sample is paired with the raw TCP sample taken right beside it in the same repetition.
        // Raw TCP samples are recorded as "tcp/<transport>" beside the gRPC sample they pair with.
        var tcpByRep = throughput.Where(s => s.Transport.StartsWith("tcp/", StringComparison.Ordinal))
            .GroupBy(s => (s.Rep, s.ChunkBytes, s.Streams, s.Transport)).ToDictionary(g => g.Key, g => g.First());
        var rows = throughput.Where(s => !s.Transport.StartsWith("tcp", StringComparison.Ordinal))
            .GroupBy(s => (s.Transport, s.ChunkBytes, s.Streams))
            .Select(g =>
            {
                (int, int, int, string) Key(ThroughputSample s) => (s.Rep, s.ChunkBytes, s.Streams, $"tcp/{s.Transport}");
                var pairs = g.Where(s => tcpByRep.ContainsKey(Key(s))).Select(s => (Grpc: s, Tcp: tcpByRep[Key(s)])).ToList();
                return new ThroughputRow(g.Key.Transport, g.Key.ChunkBytes, g.Key.Streams, g.Count(),
                    Math.Round(Median(g.Select(s => s.MbPerS)), 1),
                    Math.Round(Median(pairs.Select(p => p.Tcp.MbPerS)), 1),
                    Math.Round(Median(pairs.Select(p => p.Grpc.MbPerS / p.Tcp.MbPerS)), 3),
                    Math.Round(Median(g.Select(s => s.CpuSecondsPerGb)), 2),
                    Math.Round(Median(pairs.Select(p => p.Tcp.CpuSecondsPerGb)), 2));
            })
            .OrderBy(r => r.Transport, StringComparer.Ordinal).ThenBy(r => r.Streams).ThenBy(r => r.ChunkBytes).ToList();

        var handoffRows = handoff.GroupBy(s => (s.PromptTokens, s.Groups))
            .Select(g => new HandoffRow(g.Key.PromptTokens, g.Key.Groups, g.Count(),
                R(Median(g.Select(s => s.PrefillMs))), R(Median(g.Select(s => s.HandoffFirstMs))), R(Median(g.Select(s => s.HandoffSecondMs))),
                R(Median(g.Select(s => s.EndToEndFirstMs))), R(Median(g.Select(s => s.AcknowledgedMs)))))
            .OrderBy(r => r.PromptTokens).ThenBy(r => r.Groups).ToList();

        var hidden = handoffRows.GroupBy(r => r.PromptTokens)
            .Where(g => g.Any(r => r.Groups == 1) && g.Any(r => r.Groups > 1))
            .SelectMany(g =>
            {
                var off = g.First(r => r.Groups == 1);
                return g.Where(r => r.Groups > 1).Select(on => new HiddenRow(g.Key, on.Groups, off.HandoffFirstMs, on.HandoffFirstMs,
                    R(off.EndToEndFirstMs - on.EndToEndFirstMs), Math.Round((off.EndToEndFirstMs - on.EndToEndFirstMs) / off.HandoffFirstMs, 3),
                    Math.Round((off.HandoffFirstMs - on.HandoffFirstMs) / off.HandoffFirstMs, 3)));
            })
            .ToList();
        return new Summary(rows, handoffRows, hidden);
    }

    static double R(double ms) => Math.Round(ms, 2);
}
