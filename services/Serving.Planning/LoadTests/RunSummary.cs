namespace Serving.Planning.LoadTests;

/// <summary>
/// One run's figures, defined as <c>vllm bench serve</c> defines them: latency distributions over successful
/// requests (TPOT per request, ITL pooled over every gap of every request), throughputs over the run's duration
/// (first send to last completion), and SLO attainment over all requests, failed ones counting as missed.
/// </summary>
public sealed record RunSummary
{
    public required int Requests { get; init; }
    public required int Completed { get; init; }
    public required int Failed { get; init; }
    /// <summary>Failed requests by reason ("http_500", "stream_error", "timeout", ...).</summary>
    public required IReadOnlyDictionary<string, int> FailuresByReason { get; init; }
    public required double DurationS { get; init; }
    public required long TotalInputTokens { get; init; }
    public required long TotalOutputTokens { get; init; }
    /// <summary>True when some server sent no usage and token counts are estimated from text chunks.</summary>
    public required bool TokenCountsApproximate { get; init; }
    public required double RequestThroughput { get; init; }
    /// <summary>The rate the server completed successful requests at: over the span of completions, or the sent rate ÷ (1 + the drift of their latency over the run), whichever is larger (see <see cref="Planner.KeptUp"/>).</summary>
    public double AchievedRate { get; init; }
    /// <summary>The same requests offered per second over the span of their schedule: the rate actually offered (a Poisson sample's own).</summary>
    public double SentRate { get; init; }
    /// <summary>Median TTFT of the requests offered in the first and in the last third of the run: a growing queue shows as a rise.</summary>
    public double TtftFirstThirdMs { get; init; } = double.NaN;
    public double TtftLastThirdMs { get; init; } = double.NaN;
    /// <summary>The TTFT rise (beyond 1.5×) still counted as noise: the first third's median generation time, at least 50 ms.</summary>
    public double QueueAllowanceMs { get; init; }
    public required double OutputThroughput { get; init; }
    public required double TotalTokenThroughput { get; init; }
    public required Distribution TtftMs { get; init; }
    public required Distribution TpotMs { get; init; }
    public required Distribution ItlMs { get; init; }
    public required Distribution E2elMs { get; init; }
    public required Slo Slo { get; init; }
    /// <summary>Share of all requests meeting every SLO given (1 when none is given and all succeeded).</summary>
    public required double SloAttainment { get; init; }
    /// <summary>Requests per second meeting every SLO: good requests / duration (vLLM's request goodput).</summary>
    public required double Goodput { get; init; }
    /// <summary>Share of requests meeting each SLO alone, by name.</summary>
    public required IReadOnlyDictionary<string, double> AttainmentBySlo { get; init; }
}
