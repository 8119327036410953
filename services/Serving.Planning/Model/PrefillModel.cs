namespace Serving.Planning.Model;

/// <summary>Prefill time of one batch: <c>Fixed + PerToken·Σlen + PerSquaredToken·Σlen²</c> seconds (DistServe).</summary>
public sealed record PrefillModel(double Fixed, double PerToken, double PerSquaredToken)
{
    /// <summary>Seconds to prefill a batch of <paramref name="tokens"/> prompt tokens whose squared lengths sum to <paramref name="sumSquares"/>.</summary>
    public double Time(long tokens, double sumSquares) => Fixed + PerToken * tokens + PerSquaredToken * sumSquares;
}
