namespace Serving.Engine.Scheduling;

/// <summary>Limits of one iteration of continuous batching.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Most sequences in one batch.</summary>
    public int MaxNumSeqs { get; init; } = 64;

    /// <summary>Most tokens (prompt tokens plus one per decode) in one batch; a prompt longer than this runs alone.</summary>
    public int MaxNumBatchedTokens { get; init; } = 4096;
}
