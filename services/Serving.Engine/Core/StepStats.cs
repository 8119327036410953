namespace Serving.Engine.Core;

/// <summary>
/// What one engine step ran: the decode batch (requests and the tokens they attend over) and the prefill work (prompts,
/// new tokens, Σ (end² − start²) over each prompt's new rows — len² for a whole prompt with nothing cached — and how
/// many of the model's layers ran for them, fewer than all in a layered step).
/// The terms the latency model is fitted on, so a trace of real steps can be set beside the profile.
/// </summary>
public readonly record struct StepStats(
    int DecodeRequests,
    long DecodeContextTokens,
    int PrefillPrompts,
    long PrefillTokens,
    double PrefillSumSquares,
    int PrefillLayers)
{
    public static readonly StepStats None = default;

    public StepStats Plus(StepStats other) => new(
        DecodeRequests + other.DecodeRequests,
        DecodeContextTokens + other.DecodeContextTokens,
        PrefillPrompts + other.PrefillPrompts,
        PrefillTokens + other.PrefillTokens,
        PrefillSumSquares + other.PrefillSumSquares,
        Math.Max(PrefillLayers, other.PrefillLayers));
}
