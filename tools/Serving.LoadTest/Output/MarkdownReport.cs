using System.Text;
using System.Text.Json;
using Serving.LoadTest.Metrics;
using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Output;

/// <summary>The result as markdown: what was run, then each run's totals, latencies and prefix cache, then the search's answer.</summary>
internal static class MarkdownReport
{
    public static string Of(LoadTestResult r, ResultExtras? extras = null)
    {
        extras ??= ResultExtras.None;
        var md = new StringBuilder();
        md.AppendLine($"# Load test ({r.Mode}) — {r.StartedUtc}");
        md.AppendLine();
        md.AppendLine($"- Command: `serving-loadtest {string.Join(' ', r.CommandLine)}`");
        // Files from elsewhere may leave any of these out.
        if (r.Machine?.Deserialize<MachineInfo>(ResultWriter.Json) is { } m)
            md.AppendLine($"- Machine: {m.CpuModel}, {m.LogicalCpus} CPUs, {m.Os}, {m.Runtime}; load average {m.LoadAverage?.ToString("0.##") ?? "?"} at the start");
        if (r.Target is { } t)
            md.AppendLine($"- Target: {t.EndpointUrl} model `{t.Model}`, ignore_eos {t.IgnoreEos}");
        if (r.Workload is { } w)
            md.AppendLine(extras.MultiTurn is null && extras.SharedPrefix is null
                ? $"- Workload: {w.Kind}, {w.NumPrompts} requests, prompt {w.Input}, output {w.Output}; prompts from {(r.PromptsFromServerTokenizer ? "the server's tokenizer" : "words (lengths approximate)")}; seed {r.Seed}"
                : $"- Workload: {w.Kind}, {w.NumPrompts} requests, output {w.Output}; seed {r.Seed}");
        if (extras.MultiTurn is { } mt)
            md.AppendLine($"- Multi-turn: {mt.Conversations} conversations of up to {mt.Turns} turns, each resending its history with the answers; "
                + (r.Workload?.Kind == WorkloadKind.ShareGpt ? "the human turns of ShareGPT conversations" : $"an opening of {mt.OpeningWords} words and a question, then questions of {mt.QuestionWords} words")
                + $"; think time {mt.ThinkTimeMs:0.###} ms");
        if (extras.SharedPrefix is { } sp)
            md.AppendLine($"- Shared prefix: {sp.Groups} groups × {sp.PromptsPerGroup} prompts, a {sp.PrefixWords}-word prefix per group and a {sp.QuestionWords}-word question per prompt, in shuffled order");
        md.AppendLine($"- Arrivals: {r.Arrival}, burstiness {r.Burstiness}{(r.MaxConcurrency is { } c ? $", at most {c} in flight" : "")}");
        if (r.Slo.Any)
            md.AppendLine($"- SLOs: {r.Slo}");
        md.AppendLine();
        if (r.Runs.Count > 1)
            Overview(md, r);
        foreach (var (i, run) in r.Runs.Index())
            Run(md, run, extras.Run(i));
        if (r.Search is { } s)
        {
            md.AppendLine("## Goodput search");
            md.AppendLine();
            var bestAchieved = s.Probes.FirstOrDefault(p => p.Passed && p.Rate == s.Offered)?.Achieved;
            md.AppendLine($"Highest rate sustained with SLO attainment ≥ {100 * s.Target:0}%: **{s.Goodput:0.###} req/s** ({s.GoodputPerWorker:0.###} req/s per worker over {s.Workers})"
                + (bestAchieved is { } a ? $", offered {s.Offered:0.###} and achieved {a:0.###} req/s" : "")
                + $"; lowest rate that did not pass: {(s.LowestFailing is { } f ? $"{f:0.###} req/s" : "none up to the maximum")}; {(s.Converged ? "converged" : "not converged (probe limit)")}. "
                + "A probe passes when attainment meets the target, the server achieved at least 95% of the offered rate, and its queue did not grow.");
            md.AppendLine();
            md.AppendLine("| probe | offered (req/s) | achieved (req/s) | attainment | verdict |");
            md.AppendLine("|---:|---:|---:|---:|:---|");
            foreach (var (i, p) in s.Probes.Index())
                md.AppendLine($"| {i + 1} | {p.Rate:0.###} | {p.Achieved:0.###} | {100 * p.Attainment:0.#}% | {(p.Passed ? "sustained" : string.Join("; ", p.Misses ?? []))} |");
            md.AppendLine();
        }
        return md.ToString();
    }

    static void Overview(StringBuilder md, LoadTestResult r)
    {
        md.AppendLine("## Overview");
        md.AppendLine();
        md.AppendLine("| offered (req/s) | achieved (req/s) | attainment | goodput (req/s) | TTFT p50 first → last third (ms) | TTFT p50 / p99 (ms) | TPOT p50 / p99 (ms) | failed |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in r.Runs.OrderBy(x => x.Rate))
        {
            var s = run.Summary;
            md.AppendLine($"| {run.Rate:0.###} | {s.AchievedRate:0.##} | {100 * s.SloAttainment:0.#}% | {s.Goodput:0.##} | {s.TtftFirstThirdMs:0.#} → {s.TtftLastThirdMs:0.#} | {s.TtftMs.Median:0.#} / {P(s.TtftMs, 99)} | {s.TpotMs.Median:0.#} / {P(s.TpotMs, 99)} | {s.Failed} |");
        }
        md.AppendLine();
    }

    static void Run(StringBuilder md, RunRecord run, RunExtras extras)
    {
        md.AppendLine(run.Rate is { } rate ? $"## Rate {rate:0.###} req/s" : "## Run");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---:|");
        foreach (var (label, value) in SummaryRows.Totals(run.Summary, run.ClientOverhead))
            md.AppendLine($"| {label} | {value} |");
        md.AppendLine();
        var header = SummaryRows.LatencyHeader(run.Summary);
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in SummaryRows.Latencies(run.Summary))
            md.AppendLine("| " + string.Join(" | ", row) + " |");
        md.AppendLine();
        if (SummaryRows.PrefixCache(extras.PrefixCache, extras.ServerCounters) is { Count: > 0 } cache)
        {
            md.AppendLine("| Prefix cache | |");
            md.AppendLine("|---|---:|");
            foreach (var (label, value) in cache)
                md.AppendLine($"| {label} | {value} |");
            md.AppendLine();
        }
        if (run.ClientOverhead.Warning is { } w)
            md.AppendLine($"Warning: {w}.").AppendLine();
    }

    static string P(Distribution d, double p) => d.Percentiles.TryGetValue(Distribution.Label(p), out var v) ? v.ToString("0.#") : "–";
}
