namespace Serving.Planning.Simulation;

/// <summary>Latency objectives in seconds; a request meets the SLO when it completes within all of them.</summary>
/// <param name="TtftSeconds">Time to first token.</param>
/// <param name="TpotSeconds">Mean time per output token after the first.</param>
/// <param name="MaxItlSeconds">Longest gap between two tokens (the stall a prefill causes); unbounded unless given.</param>
public sealed record Slo(double TtftSeconds, double TpotSeconds, double MaxItlSeconds = double.PositiveInfinity)
{
    /// <summary>Whether <paramref name="outcome"/> meets every objective.</summary>
    public bool IsMetBy(RequestOutcome outcome) =>
        outcome.Completed && outcome.Ttft <= TtftSeconds && outcome.Tpot <= TpotSeconds && outcome.MaxItl <= MaxItlSeconds;
}
