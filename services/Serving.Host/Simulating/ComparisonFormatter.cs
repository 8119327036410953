using System.Globalization;
using System.Text;

namespace Serving.Host.Simulating;

/// <summary>Renders simulated (and, where there are any, measured) figures per rate as aligned columns.</summary>
internal static class ComparisonFormatter
{
    public static string Format(IReadOnlyList<RateComparison> rows)
    {
        var measured = rows.Any(r => r.Measured is not null);
        string[] headers = measured
            ? ["rate", "requests", "sim attain", "meas attain", "Δ pp", "TTFT p50 sim/meas", "TTFT p90 sim/meas", "TPOT p50 sim/meas", "TPOT p90 sim/meas"]
            : ["rate", "requests", "attain", "TTFT p50 ms", "TTFT p90 ms", "TPOT p50 ms", "TPOT p90 ms", "max ITL p90 ms"];
        var cells = rows.Select(r => measured ? Measured(r) : Simulated(r)).ToList();
        var widths = headers.Select((h, col) => cells.Select(c => c[col].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Append(text, headers, widths);
        Append(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in cells) Append(text, row, widths);
        if (measured) text.AppendLine("(latencies in ms; Δ pp = simulated − measured attainment in percentage points)");
        return text.ToString();
    }

    private static string[] Simulated(RateComparison r) =>
    [
        Rate(r.Rate), Count(r.Simulated), Percent(r.Simulated.Attainment),
        Ms(r.Simulated.TtftP50Ms), Ms(r.Simulated.TtftP90Ms), Ms(r.Simulated.TpotP50Ms), Ms(r.Simulated.TpotP90Ms), Ms(r.Simulated.MaxItlP90Ms),
    ];

    private static string[] Measured(RateComparison r)
    {
        var s = r.Simulated;
        var m = r.Measured;
        return
        [
            Rate(r.Rate), Count(m ?? s), Percent(s.Attainment), m is null ? "-" : Percent(m.Attainment),
            r.AttainmentDeltaPoints is { } d ? d.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "-",
            Pair(s.TtftP50Ms, m?.TtftP50Ms), Pair(s.TtftP90Ms, m?.TtftP90Ms), Pair(s.TpotP50Ms, m?.TpotP50Ms), Pair(s.TpotP90Ms, m?.TpotP90Ms),
        ];
    }

    private static string Rate(double? rate) => rate?.ToString("0.###", CultureInfo.InvariantCulture) ?? "n/a";

    private static string Count(LatencySummary s) =>
        s.Failed == 0 ? s.Requests.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{s.Requests} ({s.Failed} failed)");

    private static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Ms(double? ms) => ms?.ToString(ms < 100 ? "0.0" : "0", CultureInfo.InvariantCulture) ?? "-";

    private static string Pair(double? simulated, double? measured) => $"{Ms(simulated)} / {Ms(measured)}";

    private static void Append(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) text.Append("  ");
            text.Append(cells[i].PadLeft(widths[i]));
        }
        text.AppendLine();
    }
}
