using System.Globalization;
using System.Text;

namespace Serving.Planning.Planner;

/// <summary>Renders a <see cref="Plan"/> as a plain-text table, best first.</summary>
public static class PlanFormatter
{
    private static readonly string[] Headers =
        ["#", "workers", "G", "short≤", "prefill tok", "decode batch", "goodput r/s", "per worker", "attain"];

    /// <summary>The top <paramref name="top"/> candidates of <paramref name="plan"/> as aligned columns.</summary>
    public static string Format(Plan plan, int top = 10)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = plan.Candidates.Take(top).Select((p, i) => new[]
        {
            (i + 1).ToString(c),
            p.Config.Shape,
            p.Config.LayerGroups.ToString(c),
            p.Config.ShortPromptThreshold.ToString(c),
            p.Config.MaxBatchedPrefillTokens.ToString(c),
            p.Config.MaxDecodeBatch.ToString(c),
            p.Goodput.ToString("0.###", c),
            p.GoodputPerWorker.ToString("0.###", c),
            (p.Attainment * 100).ToString("0.0", c) + "%",
        }).ToList();

        var widths = Headers.Select((h, col) => rows.Select(r => r[col].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        var slo = plan.Request.Slo;
        text.Append(c, $"SLO: TTFT ≤ {slo.TtftSeconds * 1000:0.#} ms, TPOT ≤ {slo.TpotSeconds * 1000:0.#} ms, ");
        if (double.IsFinite(slo.MaxItlSeconds)) text.Append(c, $"max ITL ≤ {slo.MaxItlSeconds * 1000:0.#} ms, ");
        text.Append(c, $"attainment ≥ {plan.Request.AttainmentTarget * 100:0.#}%; {plan.Request.Workers} workers, {plan.Candidates.Count} candidates");
        if (plan.Request.Workload.PrefixHitRate > 0) text.Append(c, $"; prefix hit rate {plan.Request.Workload.PrefixHitRate * 100:0.#}%");
        text.AppendLine();
        AppendRow(text, Headers, widths);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows) AppendRow(text, row, widths);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) text.Append("  ");
            // Numbers right-aligned, labels left-aligned.
            text.Append(i == 1 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
        }
        text.AppendLine();
    }
}
