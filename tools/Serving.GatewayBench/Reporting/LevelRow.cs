namespace Serving.GatewayBench.Reporting;

/// <summary>One concurrency level over its repetitions: errors summed, every other figure the median of the repetitions'.</summary>
internal sealed record LevelRow(
    int Streams,
    int Reps,
    int Errors,
    int AllOpenReps,
    int MinMaxOpen,
    double AddedMedianMs,
    double AddedP90Ms,
    double AddedP99Ms,
    double AddedMeanMs,
    double BunchedShare,
    double ItlMedianMs,
    double ServerAddedMedianMs,
    double DeliveryMedianMs,
    double DeliveryP99Ms,
    double TokensPerS,
    double FakeLateMedianMs,
    double FakeLateP99Ms,
    double LoopBetweenMedianMs,
    double LoopBetweenP99Ms,
    int MaxBatch,
    double ServerCpuUsPerToken,
    double ClientCpuUsPerToken)
{
    public static LevelRow Of(IReadOnlyList<LevelSample> reps)
    {
        double M(Func<LevelSample, double> f) => Percentiles.Round(Percentiles.Median(reps.Select(f)));
        return new LevelRow(reps[0].Streams, reps.Count, reps.Sum(r => r.Errors), reps.Count(r => r.AllOpen), reps.Min(r => r.MaxOpen),
            M(r => r.AddedMedianMs), M(r => r.AddedP90Ms), M(r => r.AddedP99Ms), M(r => r.AddedMeanMs), M(r => r.BunchedShare), M(r => r.ItlMedianMs), M(r => r.ServerAddedMedianMs),
            M(r => r.DeliveryMedianMs), M(r => r.DeliveryP99Ms), Math.Round(Percentiles.Median(reps.Select(r => r.TokensPerS)), 0),
            M(r => r.FakeLateMedianMs), M(r => r.FakeLateP99Ms), M(r => r.LoopBetweenMedianMs), M(r => r.LoopBetweenP99Ms), reps.Max(r => r.MaxBatch),
            M(r => r.ServerCpuUsPerToken), M(r => r.ClientCpuUsPerToken));
    }
}
