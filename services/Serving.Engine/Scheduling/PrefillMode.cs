namespace Serving.Engine.Scheduling;

/// <summary>
/// How prompts share an iteration with the decodes: the token budget they get and how a prompt that does not fit is
/// treated. The scheduler asks the mode; the engine runs what it schedules.
/// </summary>
internal abstract record PrefillMode
{
    /// <summary>Whole prompts in one mixed pass with the decodes, within the batch's token budget less one per decode.</summary>
    public static readonly PrefillMode Whole = new WholePrompts();

    /// <summary>Prompt tokens this iteration may prefill beside <paramref name="decodes"/> decodes.</summary>
    public abstract int Budget(SchedulerOptions options, int decodes);

    /// <summary>Whether a prompt needing <paramref name="newTokens"/> may be admitted with <paramref name="budget"/> left.</summary>
    public abstract bool Admits(int newTokens, int budget, int decodes, int prefills);

    /// <summary>The most tokens of one prompt this iteration runs, given the budget left.</summary>
    public virtual int Cut(int budget) => int.MaxValue;

    sealed record WholePrompts : PrefillMode
    {
        public override int Budget(SchedulerOptions options, int decodes) => options.MaxNumBatchedTokens - decodes;

        // A prompt longer than the budget runs alone, or it would never run.
        public override bool Admits(int newTokens, int budget, int decodes, int prefills) =>
            newTokens <= budget || (decodes == 0 && prefills == 0);
    }

    /// <summary>
    /// Chunked prefill: at most <paramref name="Tokens"/> prompt tokens an iteration; the last prompt admitted may be cut
    /// short and goes on next iteration, before any new one.
    /// </summary>
    public sealed record Chunked(int Tokens) : PrefillMode
    {
        public override int Budget(SchedulerOptions options, int decodes) => Tokens;
        public override bool Admits(int newTokens, int budget, int decodes, int prefills) => budget > 0;
        public override int Cut(int budget) => budget;
    }

    /// <summary>
    /// Layered prefill: the admitted prompts run apart from the decodes, one of <paramref name="Groups"/> layer groups an
    /// iteration, so they keep the whole budget; no prompt joins until the batch in flight has run its last group.
    /// </summary>
    public sealed record Layered(int Groups) : PrefillMode
    {
        public override int Budget(SchedulerOptions options, int decodes) => options.MaxNumBatchedTokens;
        public override bool Admits(int newTokens, int budget, int decodes, int prefills) => newTokens <= budget || prefills == 0;
    }
}
