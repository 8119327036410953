namespace Serving.Planning.Model;

/// <summary>Fits the prefill and decode latency models to measured points and reports the error on held-out points.</summary>
public static class LatencyFitter
{
    /// <summary>
    /// Fits <see cref="PrefillModel"/>; every <paramref name="holdOutEvery"/>-th point is held out to measure the error.
    /// The per-prompt term is fitted only when the training points differ in prompt count (else it cannot be told from the fixed term).
    /// </summary>
    public static FitReport<PrefillModel> FitPrefill(IReadOnlyList<PrefillPoint> points, int holdOutEvery = 5)
    {
        var (train, heldOut) = Split(points, holdOutEvery);
        var perPrompt = train.Select(p => p.Prompts).Distinct().Count() > 1;
        var beta = LeastSquares.Solve(
            train.Select(p => perPrompt ? new[] { 1.0, p.Tokens, p.SumSquares, p.Prompts } : [1.0, p.Tokens, p.SumSquares]).ToArray(),
            train.Select(p => p.Seconds).ToArray());
        var model = new PrefillModel(beta[0], beta[1], beta[2], perPrompt ? beta[3] : 0);
        return new FitReport<PrefillModel>(
            model,
            MeanAbsolutePercentageError(train.Select(p => (model.Time(p.Tokens, p.SumSquares, p.Prompts), p.Seconds))),
            MeanAbsolutePercentageError(heldOut.Select(p => (model.Time(p.Tokens, p.SumSquares, p.Prompts), p.Seconds))),
            train.Count,
            heldOut.Count);
    }

    /// <summary>Fits <see cref="DecodeModel"/>; every <paramref name="holdOutEvery"/>-th point is held out to measure the error.</summary>
    public static FitReport<DecodeModel> FitDecode(IReadOnlyList<DecodePoint> points, int holdOutEvery = 5)
    {
        var (train, heldOut) = Split(points, holdOutEvery);
        var beta = LeastSquares.Solve(
            train.Select(p => new[] { 1.0, p.BatchSize, p.ContextTokens }).ToArray(),
            train.Select(p => p.Seconds).ToArray());
        var model = new DecodeModel(beta[0], beta[1], beta[2]);
        return new FitReport<DecodeModel>(
            model,
            MeanAbsolutePercentageError(train.Select(p => (model.Time(p.BatchSize, p.ContextTokens), p.Seconds))),
            MeanAbsolutePercentageError(heldOut.Select(p => (model.Time(p.BatchSize, p.ContextTokens), p.Seconds))),
            train.Count,
            heldOut.Count);
    }

    /// <summary>Mean of |predicted − measured| / measured, as a fraction (0.05 = 5%); 0 when there are no pairs.</summary>
    public static double MeanAbsolutePercentageError(IEnumerable<(double Predicted, double Measured)> pairs)
    {
        var sum = 0.0;
        var count = 0;
        foreach (var (predicted, measured) in pairs)
        {
            sum += Math.Abs(predicted - measured) / Math.Abs(measured);
            count++;
        }
        return count == 0 ? 0 : sum / count;
    }

    private static (List<T> Train, List<T> HeldOut) Split<T>(IReadOnlyList<T> points, int holdOutEvery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holdOutEvery, 2);
        var train = new List<T>();
        var heldOut = new List<T>();
        for (var i = 0; i < points.Count; i++)
            (i % holdOutEvery == holdOutEvery - 1 ? heldOut : train).Add(points[i]);
        return (train, heldOut);
    }
}
