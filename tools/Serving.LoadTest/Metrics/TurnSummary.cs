namespace Serving.LoadTest.Metrics;

/// <summary>TTFT and prefix-cache hits of some turns of a multi-turn run (its successful requests).</summary>
internal sealed record TurnSummary(int Requests, double TtftMeanMs, double TtftMedianMs, long PromptTokens, long? CachedTokens, double? HitRate);
