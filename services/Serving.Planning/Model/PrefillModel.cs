namespace Serving.Planning.Model;

/// <summary>Prefill time of one batch: <c>Fixed + PerToken·Σlen + PerSquaredToken·Σlen²</c> seconds (DistServe).</summary>
public sealed record PrefillModel(double Fixed, double PerToken, double PerSquaredToken)
{
    /// <summary>Seconds to prefill a batch of <paramref name="tokens"/> prompt tokens whose squared lengths sum to <paramref name="sumSquares"/>.</summary>
    // A fitted term can come out slightly negative on noisy profiles; time never runs backwards in the simulator.
    public double Time(long tokens, double sumSquares) => Math.Max(MinSeconds, Fixed + PerToken * tokens + PerSquaredToken * sumSquares);

    /// <summary>The same model with every term multiplied by <paramref name="factor"/> (an observed-vs-predicted correction).</summary>
    public PrefillModel Scaled(double factor) => new(Fixed * factor, PerToken * factor, PerSquaredToken * factor);

    const double MinSeconds = 1e-6;
}
