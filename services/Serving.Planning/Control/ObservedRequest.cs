using Serving.Planning.Simulation;

namespace Serving.Planning.Control;

/// <summary>
/// One finished request as the cluster saw it. Latencies in seconds; <paramref name="Tpot"/> is 0 for a request of
/// one output token (as <c>vllm bench serve</c> counts it).
/// </summary>
/// <param name="ArrivalSeconds">When it arrived, on any clock shared by the window's requests (e.g. Unix seconds).</param>
/// <param name="Completed">False when it failed; a failed request misses the SLO.</param>
/// <param name="CachedTokens">Prompt tokens the worker that prefilled it found in its prefix cache.</param>
public sealed record ObservedRequest(
    double ArrivalSeconds,
    int PromptTokens,
    int OutputTokens,
    double Ttft,
    double Tpot,
    double MaxItl,
    bool Completed,
    int CachedTokens = 0)
{
    /// <summary>Whether it met every objective of <paramref name="slo"/>.</summary>
    public bool Meets(Slo slo) =>
        Completed && Ttft <= slo.TtftSeconds && Tpot <= slo.TpotSeconds && MaxItl <= slo.MaxItlSeconds;
}
