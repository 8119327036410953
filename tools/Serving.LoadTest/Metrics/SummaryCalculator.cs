using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Metrics;

/// <summary>Turns a run's request results into its summary.</summary>
internal static class SummaryCalculator
{
    public static RunSummary Summarize(IReadOnlyList<RequestResult> results, double durationS, Slo slo, IReadOnlyList<double> percentiles)
    {
        var ok = results.Where(r => r.Success).ToArray();
        var duration = durationS > 0 ? durationS : double.Epsilon;
        var input = ok.Sum(r => (long)r.PromptTokens);
        var output = ok.Sum(r => (long)r.OutputTokens);
        var good = results.Count(slo.IsMetBy);
        var total = Math.Max(1, results.Count);
        var bySlo = new Dictionary<string, double>();
        var kept = SustainedRate.Judge(results);
        if (slo.TtftMs is { } ttft)
            bySlo["ttft"] = Share(results.Count(r => r.Success && r.TtftMs <= ttft), total);
        if (slo.TpotMs is { } tpot)
            bySlo["tpot"] = Share(results.Count(r => r.Success && (r.TpotMs ?? 0) <= tpot), total);
        if (slo.E2elMs is { } e2el)
            bySlo["e2el"] = Share(results.Count(r => r.Success && r.E2elMs <= e2el), total);
        return new RunSummary
        {
            Requests = results.Count,
            Completed = ok.Length,
            Failed = results.Count - ok.Length,
            FailuresByReason = results.Where(r => !r.Success).GroupBy(r => r.FailureLabel ?? "unknown")
                .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            DurationS = Math.Round(durationS, 4),
            TotalInputTokens = input,
            TotalOutputTokens = output,
            TokenCountsApproximate = ok.Any(r => r.TokensApproximate),
            RequestThroughput = Math.Round(ok.Length / duration, 4),
            AchievedRate = Math.Round(kept.AchievedRate, 4),
            SentRate = Math.Round(kept.OfferedRate, 4),
            TtftFirstThirdMs = Math.Round(1000 * kept.TtftFirstThird, 3),
            TtftLastThirdMs = Math.Round(1000 * kept.TtftLastThird, 3),
            QueueAllowanceMs = Math.Round(1000 * kept.QueueAllowance, 3),
            OutputThroughput = Math.Round(output / duration, 3),
            TotalTokenThroughput = Math.Round((input + output) / duration, 3),
            TtftMs = DistributionOf(ok.Select(r => r.TtftMs), percentiles),
            TpotMs = DistributionOf(ok.Where(r => r.TpotMs is not null).Select(r => r.TpotMs!.Value), percentiles),
            ItlMs = DistributionOf(ok.SelectMany(r => r.ItlsMs), percentiles),
            E2elMs = DistributionOf(ok.Select(r => r.E2elMs), percentiles),
            Slo = slo,
            SloAttainment = Share(good, total),
            Goodput = Math.Round(good / duration, 4),
            AttainmentBySlo = bySlo,
        };
    }

    static Distribution DistributionOf(IEnumerable<double> values, IReadOnlyList<double> percentiles)
    {
        var sorted = values.Order().ToArray();
        var ps = percentiles.ToDictionary(Distribution.Label, p => Round(Percentiles.Of(sorted, p)));
        return new Distribution(sorted.Length, Round(Percentiles.Mean(sorted)), Round(Percentiles.Of(sorted, 50)),
            Round(Percentiles.Std(sorted)), sorted.Length > 0 ? Round(sorted[0]) : 0, sorted.Length > 0 ? Round(sorted[^1]) : 0, ps);
    }

    static double Round(double v) => Math.Round(v, 3);

    static double Share(int count, int total) => Math.Round((double)count / total, 4);
}
