namespace Serving.Planning.Simulation;

/// <summary>The shape of a workload: prompt and output length distributions (the rate is chosen separately).</summary>
public sealed record WorkloadSpec(LengthDistribution Prompt, LengthDistribution Output);
