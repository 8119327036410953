using System.Globalization;
using System.Text;

namespace Serving.Bench;

/// <summary>Turns the measurements into ratios against llama.cpp's best configuration and a markdown table.</summary>
internal static class Report
{
    static bool IsLlamaCpp(string side) => side.StartsWith(LlamaCppSide.NamePrefix, StringComparison.Ordinal);

    // Targets apply to the f32-vs-f32 comparison only: issue 18's, which tightened issue 2's (b1 ≤ 2.0×, prefill ≥ 1.0×).
    static double? Target(string metric, string side) => side.EndsWith(" float32", StringComparison.Ordinal) ? metric switch
    {
        "decode b8 tok/s" => 1.0,
        "decode b32 tok/s" => 1.0,
        "prefill 2048 tok/s" => 1.5,
        "decode b1 step ms" => 1.5,
        _ => null,
    } : null;

    public static List<Ratio> Ratios(IReadOnlyList<Measurement> measurements)
    {
        var ratios = new List<Ratio>();
        foreach (var ours in measurements.Where(m => !IsLlamaCpp(m.Side)))
        {
            // Highest throughput is also the shortest median time: one best side serves both metrics.
            var best = measurements.Where(m => m.Kind == ours.Kind && m.Size == ours.Size && IsLlamaCpp(m.Side))
                .MaxBy(m => m.TokensPerSecond)!;
            var metric = ours.Kind == "prefill" ? $"prefill {ours.Size} tok/s" : $"decode b{ours.Size} tok/s";
            ratios.Add(new Ratio(metric, ours.Side, ours.TokensPerSecond, best.Side, best.TokensPerSecond, Target(metric, ours.Side), true));
            if (ours.Kind == "decode" && ours.Size == 1)
                ratios.Add(new Ratio("decode b1 step ms", ours.Side, ours.MedianMs, best.Side, best.MedianMs, Target("decode b1 step ms", ours.Side), false));
        }
        return ratios;
    }

    public static string Markdown(IReadOnlyList<Measurement> measurements, IReadOnlyList<Ratio> ratios)
    {
        var sides = measurements.Select(m => m.Side).Distinct().ToList();
        var ourSides = sides.Where(s => !IsLlamaCpp(s)).ToList();
        var sb = new StringBuilder();
        sb.Append("| metric | ").AppendJoin(" | ", sides).Append(" | ")
          .AppendJoin(" | ", ourSides.Select(s => $"{s} / best llama.cpp")).AppendLine(" |");
        sb.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", sides.Count + ourSides.Count))).AppendLine();

        foreach (var metric in ratios.Select(r => r.Metric).Distinct())
        {
            var stepTime = metric.EndsWith("ms", StringComparison.Ordinal);
            sb.Append("| ").Append(metric).Append(" | ");
            foreach (var side in sides)
            {
                var m = Find(measurements, metric, side);
                sb.Append((stepTime ? m.MedianMs : m.TokensPerSecond).ToString(stepTime ? "0.00" : "0", CultureInfo.InvariantCulture)).Append(" | ");
            }
            foreach (var side in ourSides)
            {
                var r = ratios.First(x => x.Metric == metric && x.Side == side);
                sb.Append(r.Value.ToString("0.00", CultureInfo.InvariantCulture)).Append("× vs ").Append(r.LlamaCppSide[(LlamaCppSide.NamePrefix.Length + 1)..]);
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

    static Measurement Find(IReadOnlyList<Measurement> measurements, string metric, string side)
    {
        var parts = metric.Split(' ');
        var kind = parts[0];
        var size = int.Parse(parts[1].TrimStart('b'), CultureInfo.InvariantCulture);
        return measurements.Single(m => m.Kind == kind && m.Size == size && m.Side == side);
    }
}
