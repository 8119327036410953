namespace Serving.Planning.Model;

/// <summary>
/// Prefill time of one batch: <c>Fixed + PerToken·Σlen + PerSquaredToken·Σlen² + PerPrompt·prompts</c> seconds (DistServe's
/// terms, plus a per-prompt cost: each prompt's sampled row, its attention masks and block table).
/// </summary>
/// <param name="PerPrompt">0 in profiles written before the term existed, and when the points never varied the prompt count.</param>
public sealed record PrefillModel(double Fixed, double PerToken, double PerSquaredToken, double PerPrompt = 0)
{
    /// <summary>Seconds to prefill <paramref name="prompts"/> prompts of <paramref name="tokens"/> tokens in all, whose squared lengths sum to <paramref name="sumSquares"/>.</summary>
    // A fitted term can come out slightly negative on noisy profiles; time never runs backwards in the simulator.
    public double Time(long tokens, double sumSquares, int prompts) =>
        Math.Max(MinSeconds, Fixed + PerToken * tokens + PerSquaredToken * sumSquares + PerPrompt * prompts);

    /// <summary>The same model with every term multiplied by <paramref name="factor"/> (an observed-vs-predicted correction).</summary>
    public PrefillModel Scaled(double factor) => new(Fixed * factor, PerToken * factor, PerSquaredToken * factor, PerPrompt * factor);

    const double MinSeconds = 1e-6;
}
