namespace Serving.Planning.LoadTests;

/// <summary>
/// How well the client kept up: the lag between when each request was due and when it went out, the time spent
/// parsing streams, and the client process's CPU use. Figures from a lagging or saturated client measure the client.
/// </summary>
public sealed record ClientOverhead(double LagMeanMs, double LagP50Ms, double LagP99Ms, double LagMaxMs, double ParseMsPerRequest, double CpuCoresUsed, int Cores)
{
    /// <summary>p99 lag above this means the schedule was not kept.</summary>
    public const double LagWarningMs = 10;

    public bool Lagging => LagP99Ms > LagWarningMs;

    /// <summary>The client used nearly every core of the machine.</summary>
    public bool Saturated => CpuCoresUsed > 0.9 * Cores;

    public string? Warning => (Lagging, Saturated) switch
    {
        (true, true) => $"the client lagged its schedule (p99 {LagP99Ms:0.#} ms) with its CPU saturated ({CpuCoresUsed:0.##} of {Cores} cores): these figures measure the client",
        (true, false) => $"the client lagged its schedule: p99 send lag {LagP99Ms:0.#} ms (> {LagWarningMs} ms); the machine may be too busy for this rate",
        (false, true) => $"the client's CPU is saturated ({CpuCoresUsed:0.##} of {Cores} cores)",
        _ => null,
    };
}
