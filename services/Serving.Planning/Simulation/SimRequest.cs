namespace Serving.Planning.Simulation;

/// <summary>One request of a workload: arrives at <paramref name="ArrivalTime"/> seconds with a prompt and a number of tokens to generate.</summary>
/// <param name="CachedTokens">
/// Prompt tokens a prefix cache already holds: the worker that prefills the request does not compute them and a KV
/// transfer does not move them (at most the prompt less one token: the last prompt token is always computed).
/// </param>
public sealed record SimRequest(int Id, double ArrivalTime, int PromptTokens, int OutputTokens, int CachedTokens = 0);
