using System.Text.Json.Serialization;

namespace Serving.Planning.LoadTests;

/// <summary>
/// One request's outcome and timings, in milliseconds from a monotonic clock; offsets are seconds from the run's start.
/// TTFT runs from the send to the first chunk carrying text, E2EL from the send to the last such chunk (as
/// <c>vllm bench serve</c> measures them); <see cref="ItlsMs"/> holds every gap between successive text chunks.
/// </summary>
public sealed record RequestResult
{
    public required int Index { get; init; }
    /// <summary>When the schedule wanted it sent.</summary>
    public double ScheduledS { get; init; }
    /// <summary>When it was sent; null when the run stopped before it was.</summary>
    public double? SentS { get; init; }
    /// <summary>Send time minus the time it became due (its schedule, or a free slot under a concurrency cap): the client's lag.</summary>
    public double LagMs { get; init; }
    public bool Success { get; init; }
    public FailureKind? Failure { get; init; }
    public int? HttpStatus { get; init; }
    public string? Error { get; init; }
    public double TtftMs { get; init; }
    public double E2elMs { get; init; }
    public double[] ItlsMs { get; init; } = [];
    /// <summary>Prompt tokens: the server's usage when it sent one, else the workload's target.</summary>
    public int PromptTokens { get; init; }
    /// <summary>Output tokens: the server's usage when it sent one, else the count of text chunks.</summary>
    public int OutputTokens { get; init; }
    /// <summary>True when the server sent no usage and the counts are estimates.</summary>
    public bool TokensApproximate { get; init; }
    /// <summary>Time the client spent parsing this request's stream (its own overhead, not the network's).</summary>
    public double ClientParseMs { get; init; }

    /// <summary>(E2EL − TTFT) / (output tokens − 1); null for a single token or a failure.</summary>
    public double? TpotMs => Success && OutputTokens > 1 ? Math.Round((E2elMs - TtftMs) / (OutputTokens - 1), 4) : null;

    /// <summary>A short label for grouping failures: the kind, with the status for HTTP errors.</summary>
    [JsonIgnore]
    public string? FailureLabel => Failure switch
    {
        null => null,
        FailureKind.HttpStatus => $"http_{HttpStatus}",
        { } kind => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()),
    };
}
