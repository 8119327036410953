namespace Serving.Planning.Simulation;

/// <summary>Log-normal with the given median and σ of the log, clamped to [<paramref name="Min"/>, <paramref name="Max"/>].</summary>
public sealed record LogNormalLength(double Median, double Sigma, int Min, int Max) : LengthDistribution
{
    /// <inheritdoc/>
    public override int Sample(Random random)
    {
        // Box–Muller; 1 − U keeps the logarithm finite.
        var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var value = (int)Math.Round(Median * Math.Exp(Sigma * z));
        return Math.Clamp(value, Math.Max(1, Min), Max);
    }
}
