namespace Serving.LoadTest.Metrics;

/// <summary>
/// A run's prefix-cache figures over its successful requests: prompt tokens, the cached tokens the server reported
/// (<c>usage.prompt_tokens_details.cached_tokens</c>) and the hit rate Σcached / Σprompt over the requests that reported
/// them (null, with the cached total, when none did). Multi-turn runs split first turns from later ones; shared-prefix
/// runs add the ideal hit rate.
/// </summary>
internal sealed record PrefixCacheSummary
{
    public long PromptTokens { get; init; }
    /// <summary>Successful requests whose usage carried cached_tokens.</summary>
    public int RequestsReporting { get; init; }
    public long? CachedTokens { get; init; }
    public double? HitRate { get; init; }
    /// <summary>
    /// Shared-prefix: every request after the first of its group served its group's whole prefix from the cache (in
    /// whole 16-token blocks): Σ those prefix tokens / Σ prompt tokens.
    /// </summary>
    public double? IdealHitRate { get; init; }
    public TurnSummary? FirstTurns { get; init; }
    /// <summary>Turns 2 and later.</summary>
    public TurnSummary? LaterTurns { get; init; }
}
