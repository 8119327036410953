using Serving.Engine.Scheduling;

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
    internal static StepStats Of(IReadOnlyList<Sequence> decodes, IReadOnlyList<Sequence> prefills, int prefillLayers)
    {
        long context = 0, tokens = 0;
        double squares = 0;
        foreach (var seq in decodes)
            context += seq.Length;
        foreach (var seq in prefills)
        {
            // Rows p..end attend over end keys: (end² − p²) of a whole prompt's len², for a chunk or a cached prefix.
            tokens += seq.ScheduledEnd - seq.NumComputedTokens;
            squares += (double)seq.ScheduledEnd * seq.ScheduledEnd - (double)seq.NumComputedTokens * seq.NumComputedTokens;
        }
        return new StepStats(decodes.Count, context, prefills.Count, tokens, squares, prefillLayers);
    }

    public StepStats Plus(StepStats other) => new(
        DecodeRequests + other.DecodeRequests,
        DecodeContextTokens + other.DecodeContextTokens,
        PrefillPrompts + other.PrefillPrompts,
        PrefillTokens + other.PrefillTokens,
        PrefillSumSquares + other.PrefillSumSquares,
        Math.Max(PrefillLayers, other.PrefillLayers));
}
