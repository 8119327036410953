namespace Serving.Engine.Scheduling;

/// <summary>
/// What one iteration runs: decodes (one token each) and prefills (their prompt tokens from
/// <see cref="Sequence.NumComputedTokens"/> to <see cref="Sequence.ScheduledEnd"/>; only a last chunk is sampled).
/// </summary>
internal sealed record ScheduledBatch(IReadOnlyList<Sequence> Decodes, IReadOnlyList<Sequence> Prefills)
{
    public bool IsEmpty => Decodes.Count == 0 && Prefills.Count == 0;
}
