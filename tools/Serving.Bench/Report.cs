using System.Globalization;
using System.Text;

namespace Serving.Bench;

/// <summary>Turns the measurements into ratios and a markdown table.</summary>
internal static class Report
{
    public const string LlamaCpp = "llama.cpp f32";

    // Targets apply to the f32-vs-f32 comparison only.
    static double? Target(string metric, string side) => side.EndsWith("float32", StringComparison.Ordinal) ? metric switch
    {
        "decode b32 tok/s" => 1.0,
        "prefill 2048 tok/s" => 1.0,
        "decode b1 step ms" => 2.0,
        _ => null,
    } : null;

    public static List<Ratio> Ratios(IReadOnlyList<Measurement> measurements)
    {
        var ratios = new List<Ratio>();
        foreach (var ours in measurements.Where(m => m.Side != LlamaCpp))
        {
            var theirs = measurements.Single(m => m.Kind == ours.Kind && m.Size == ours.Size && m.Side == LlamaCpp);
            var metric = ours.Kind == "prefill" ? $"prefill {ours.Size} tok/s" : $"decode b{ours.Size} tok/s";
            ratios.Add(new Ratio(metric, ours.Side, ours.TokensPerSecond, theirs.TokensPerSecond, Target(metric, ours.Side), true));
            if (ours.Kind == "decode" && ours.Size == 1)
                ratios.Add(new Ratio("decode b1 step ms", ours.Side, ours.MedianMs, theirs.MedianMs, Target("decode b1 step ms", ours.Side), false));
        }
        return ratios;
    }

    public static string Markdown(IReadOnlyList<Measurement> measurements, IReadOnlyList<Ratio> ratios)
    {
        var sides = measurements.Select(m => m.Side).Distinct().ToList();
        var ourSides = sides.Where(s => s != LlamaCpp).ToList();
        var sb = new StringBuilder();
        sb.Append("| metric | ").AppendJoin(" | ", sides).Append(" | ")
          .AppendJoin(" | ", ourSides.Select(s => $"{s} / llama.cpp")).AppendLine(" |");
        sb.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", sides.Count + ourSides.Count))).AppendLine();

        foreach (var metric in ratios.Select(r => r.Metric).Distinct())
        {
            sb.Append("| ").Append(metric).Append(" | ");
            foreach (var side in sides)
            {
                var r = ratios.First(r => r.Metric == metric);
                var value = side == LlamaCpp ? r.LlamaCpp : ratios.First(x => x.Metric == metric && x.Side == side).Ours;
                sb.Append(Format(value, metric)).Append(" | ");
            }
            foreach (var side in ourSides)
            {
                var r = ratios.First(x => x.Metric == metric && x.Side == side);
                sb.Append(r.Value.ToString("0.00", CultureInfo.InvariantCulture)).Append('×');
                if (r.TargetMet is { } met)
                    sb.Append(met ? " (target " : " (MISSED target ").Append(r.HigherIsBetter ? "≥ " : "≤ ")
                      .Append(r.Target!.Value.ToString("0.0", CultureInfo.InvariantCulture)).Append("×)");
                sb.Append(" | ");
            }
            sb.Length--;
            sb.AppendLine();
        }
        return sb.ToString();
    }

    static string Format(double value, string metric) =>
        value.ToString(metric.EndsWith("ms", StringComparison.Ordinal) ? "0.00" : "0", CultureInfo.InvariantCulture);
}
