namespace Serving.GatewayBench.Reporting;

/// <summary>The levels' rows and the targets, checked.</summary>
internal sealed record Summary(IReadOnlyList<LevelRow> Levels, double SaturationTokensPerS, int SaturationStreams, IReadOnlyList<TargetCheck> Targets)
{
    public const int HeldTarget = 1000;
    public const int LatencyTargetStreams = 256;
    public const double LatencyTargetMs = 1.0;

    public static Summary Of(IReadOnlyList<LevelSample> samples)
    {
        var rows = samples.GroupBy(s => s.Streams).OrderBy(g => g.Key).Select(g => LevelRow.Of([.. g])).ToList();
        var saturation = rows.Where(r => !double.IsNaN(r.TokensPerS)).MaxBy(r => r.TokensPerS);
        var targets = new List<TargetCheck>();
        var held = rows.Where(r => r.Streams >= HeldTarget).ToList();
        targets.Add(held.Count == 0
            ? new TargetCheck($"≥ {HeldTarget:N0} concurrent streams held, no errors", false, "not measured (no level of 1,000 streams or more)")
            : new TargetCheck($"≥ {HeldTarget:N0} concurrent streams held, no errors", held.Any(r => r.Errors == 0 && r.AllOpenReps == r.Reps),
                string.Join("; ", held.Select(r => $"{r.Streams} streams: {r.Errors} errors, all open at once in {r.AllOpenReps}/{r.Reps} reps (at least {r.MinMaxOpen} open)"))));
        var at = rows.FirstOrDefault(r => r.Streams == LatencyTargetStreams);
        targets.Add(at is null
            ? new TargetCheck($"added latency per token ≤ {LatencyTargetMs} ms median at {LatencyTargetStreams} streams", false, "not measured")
            : new TargetCheck($"added latency per token ≤ {LatencyTargetMs} ms median at {LatencyTargetStreams} streams",
                // A median far below zero is not a fast path: tokens were held back and arrived bunched together.
                at.Errors == 0 && at.AddedMedianMs <= LatencyTargetMs && at.AddedMedianMs >= -LatencyTargetMs,
                $"{at.AddedMedianMs:0.000} ms (p90 {at.AddedP90Ms:0.000}, p99 {at.AddedP99Ms:0.000}, mean {at.AddedMeanMs:0.000}; " +
                $"{at.BunchedShare:P0} of gaps bunched; token delivery median {at.DeliveryMedianMs:0.00} ms)"));
        return new Summary(rows, saturation?.TokensPerS ?? double.NaN, saturation?.Streams ?? 0, targets);
    }
}
