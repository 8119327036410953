namespace Serving.Planning.Simulation;

/// <summary>The shape of a workload: prompt and output length distributions (the rate is chosen separately).</summary>
/// <param name="PrefixHitRate">
/// Share of prompt tokens served from a prefix cache, 0..1: every request has ⌊rate × prompt⌋ prompt tokens cached
/// (<see cref="SimRequest.CachedTokens"/>).
/// </param>
public sealed record WorkloadSpec(LengthDistribution Prompt, LengthDistribution Output, double PrefixHitRate = 0);
