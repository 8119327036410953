namespace Serving.Planning.Simulation;

/// <summary>What happened to one simulated request; latencies in seconds, TPOT as <c>vllm bench serve</c> computes it.</summary>
/// <param name="MaxItl">Longest gap between two consecutive tokens of this request.</param>
/// <param name="Completed">False when the request could never fit in a worker's KV cache (it is dropped).</param>
public sealed record RequestOutcome(
    int Id,
    int PromptTokens,
    int OutputTokens,
    double Ttft,
    double Tpot,
    double E2e,
    double MaxItl,
    int Preemptions,
    bool Completed);
