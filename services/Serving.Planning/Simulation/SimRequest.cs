namespace Serving.Planning.Simulation;

/// <summary>One request of a workload: arrives at <paramref name="ArrivalTime"/> seconds with a prompt and a number of tokens to generate.</summary>
public sealed record SimRequest(int Id, double ArrivalTime, int PromptTokens, int OutputTokens);
