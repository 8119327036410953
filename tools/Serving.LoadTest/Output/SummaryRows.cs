using System.Globalization;
using Serving.LoadTest.Metrics;
using Serving.LoadTest.ServerMetrics;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Output;

/// <summary>A run's summary as label/value rows and latency rows, shared by the console table and the markdown file.</summary>
internal static class SummaryRows
{
    public static List<(string Label, string Value)> Totals(RunSummary s, ClientOverhead overhead)
    {
        var approx = s.TokenCountsApproximate ? " (approximate: no usage from the server)" : "";
        var rows = new List<(string, string)>
        {
            ("Successful requests", $"{s.Completed} of {s.Requests}"),
            ("Failed requests", s.Failed == 0 ? "0" : $"{s.Failed} ({string.Join(", ", s.FailuresByReason.Select(kv => $"{kv.Key}: {kv.Value}"))})"),
            ("Duration (s)", F(s.DurationS, 2)),
            ("Total input tokens", s.TotalInputTokens.ToString(CultureInfo.InvariantCulture)),
            ("Total output tokens", s.TotalOutputTokens.ToString(CultureInfo.InvariantCulture) + approx),
            ("Request throughput (req/s)", F(s.RequestThroughput, 2)),
            ("Achieved rate (req/s, over the completions)", F(s.AchievedRate, 2)),
            ("TTFT p50, first → last third (ms)", $"{F(s.TtftFirstThirdMs, 1)} → {F(s.TtftLastThirdMs, 1)}"),
            ("Output token throughput (tok/s)", F(s.OutputThroughput, 1)),
            ("Total token throughput (tok/s)", F(s.TotalTokenThroughput, 1)),
        };
        if (s.Slo.Any)
        {
            rows.Add(($"SLO attainment ({s.Slo})", $"{100 * s.SloAttainment:0.#}% ({string.Join(", ", s.AttainmentBySlo.Select(kv => $"{kv.Key} {100 * kv.Value:0.#}%"))})"));
            rows.Add(("Goodput (req/s)", F(s.Goodput, 2)));
        }
        rows.Add(("Client send lag p50 / p99 / max (ms)", $"{F(overhead.LagP50Ms, 2)} / {F(overhead.LagP99Ms, 2)} / {F(overhead.LagMaxMs, 2)}"));
        rows.Add(("Client parse time per request (ms)", F(overhead.ParseMsPerRequest, 3)));
        rows.Add(("Client CPU (cores)", $"{F(overhead.CpuCoresUsed, 2)} of {overhead.Cores}"));
        return rows;
    }

    /// <summary>
    /// The prefix cache's rows (the server's cached tokens against the prompt tokens; by turn for a multi-turn run; the
    /// ideal for a shared-prefix run), then the server's counters; none for what the run does not have.
    /// </summary>
    public static List<(string Label, string Value)> PrefixCache(PrefixCacheSummary? p, ServerCounters? c)
    {
        var rows = new List<(string, string)>();
        if (p is not null)
        {
            rows.Add(("Prompt tokens / cached tokens", $"{N(p.PromptTokens)} / {(p.CachedTokens is { } cached ? N(cached) : "n/a")}"));
            rows.Add(("Prefix cache hit rate (Σcached / Σprompt)", p.HitRate is { } rate ? Percent(rate) : "n/a (the server sent no cached_tokens)"));
            if (p.IdealHitRate is { } ideal)
                rows.Add(("Ideal hit rate (each group's prefix after its first request)", Percent(ideal)));
            foreach (var (name, turns) in new[] { ("turn 1", p.FirstTurns), ("turns ≥ 2", p.LaterTurns) })
            {
                if (turns is null)
                    continue;
                rows.Add(($"TTFT mean / median, {name} (ms)", $"{F(turns.TtftMeanMs, 2)} / {F(turns.TtftMedianMs, 2)} ({turns.Requests} requests)"));
                rows.Add(($"Hit rate, {name}", turns.HitRate is { } r ? Percent(r) : "n/a"));
            }
        }
        if (c is not null)
        {
            if (c.KvTransferBytes is { } moved)
                rows.Add(("KV bytes moved (server)", $"{Bytes(moved)}{(c.KvTransferBytesPerRequest is { } each ? $", {Bytes(each)} per request" : "")}"));
            if (c.KvSavedBytes is { } saved)
                rows.Add(("KV bytes not sent, in the decode cache (server)", Bytes(saved)));
            if (c.PrefixCacheHitTokens is not null || c.PrefixCacheLookups is not null)
                rows.Add(("Prefix cache hit tokens / lookups (server)", $"{(c.PrefixCacheHitTokens is { } h ? N((long)h) : "–")} / {(c.PrefixCacheLookups is { } l ? N((long)l) : "–")}"));
            if (c.RouterDecisions is { } decisions)
                rows.Add(("Router decisions by reason (server)", string.Join(", ", decisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {N((long)d.Value)}"))));
        }
        return rows;
    }

    /// <summary>Rows of (metric, mean, median, percentiles...), in milliseconds.</summary>
    public static List<string[]> Latencies(RunSummary s) =>
    [
        Row("TTFT", s.TtftMs),
        Row("TPOT", s.TpotMs),
        Row("ITL", s.ItlMs),
        Row("E2EL", s.E2elMs),
    ];

    public static string[] LatencyHeader(RunSummary s) => ["ms", "mean", "median", .. s.TtftMs.Percentiles.Keys];

    static string[] Row(string name, Distribution d) => [name, F(d.Mean, 2), F(d.Median, 2), .. d.Percentiles.Values.Select(v => F(v, 2))];

    public static string F(double v, int decimals) => v.ToString("F" + decimals, CultureInfo.InvariantCulture);

    static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    static string Percent(double share) => F(100 * share, 1) + "%";

    static string Bytes(double v) => Math.Abs(v) switch
    {
        < 1 << 10 => $"{F(v, 0)} B",
        < 1 << 20 => $"{F(v / (1 << 10), 1)} KiB",
        < 1 << 30 => $"{F(v / (1 << 20), 1)} MiB",
        _ => $"{F(v / (1 << 30), 2)} GiB",
    };
}
