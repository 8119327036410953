namespace Serving.Planning.Simulation;

/// <summary>Latency objectives in seconds; a request meets the SLO when it completes within both.</summary>
public sealed record Slo(double TtftSeconds, double TpotSeconds)
{
    /// <summary>Whether <paramref name="outcome"/> meets both objectives.</summary>
    public bool IsMetBy(RequestOutcome outcome) =>
        outcome.Completed && outcome.Ttft <= TtftSeconds && outcome.Tpot <= TpotSeconds;
}
