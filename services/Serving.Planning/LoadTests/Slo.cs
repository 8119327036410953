using System.Globalization;

namespace Serving.Planning.LoadTests;

/// <summary>Service-level objectives in milliseconds; a request meets them when every one given holds (≤).</summary>
public sealed record Slo(double? TtftMs, double? TpotMs, double? E2elMs)
{
    public static readonly Slo None = new(null, null, null);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool Any => TtftMs is not null || TpotMs is not null || E2elMs is not null;

    /// <summary>
    /// Whether a request meets every SLO. A failed request never does; one with a single output token has no TPOT
    /// and meets the TPOT SLO (vLLM counts its TPOT as 0).
    /// </summary>
    public bool IsMetBy(RequestResult r) =>
        r.Success
        && (TtftMs is not { } ttft || r.TtftMs <= ttft)
        && (TpotMs is not { } tpot || (r.TpotMs ?? 0) <= tpot)
        && (E2elMs is not { } e2el || r.E2elMs <= e2el);

    /// <summary>Parses "ttft:200 tpot:50 e2el:2000" (any subset, in any order).</summary>
    public static Slo Parse(IEnumerable<string> parts)
    {
        var slo = None;
        foreach (var part in parts.SelectMany(p => p.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries)))
        {
            var kv = part.Split(':', 2);
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || ms <= 0)
                throw new FormatException($"'{part}' is not NAME:MS with a positive number of milliseconds");
            slo = kv[0].ToLowerInvariant() switch
            {
                "ttft" => slo with { TtftMs = ms },
                "tpot" => slo with { TpotMs = ms },
                "e2el" => slo with { E2elMs = ms },
                _ => throw new FormatException($"unknown SLO '{kv[0]}' (use ttft, tpot or e2el)"),
            };
        }
        return slo;
    }

    public override string ToString() => string.Join(' ', new[] { ("ttft", TtftMs), ("tpot", TpotMs), ("e2el", E2elMs) }
        .Where(x => x.Item2 is not null).Select(x => $"{x.Item1}:{x.Item2!.Value.ToString(CultureInfo.InvariantCulture)}"));
}
