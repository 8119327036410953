using System.Diagnostics;

namespace Serving.Gateway.Telemetry;

/// <summary>One API request's telemetry: its arrival time, trace span and prompt-token count.</summary>
internal sealed class RequestTelemetry(GatewayMetrics metrics, long startedAt) : IDisposable
{
    readonly Activity? _activity = GatewayMetrics.Activities.StartActivity("generate");

    public static RequestTelemetry Start(GatewayMetrics metrics, string requestId, int promptTokens, int choices)
    {
        var telemetry = new RequestTelemetry(metrics, Stopwatch.GetTimestamp());
        telemetry._activity?.SetTag("serving.request_id", requestId);
        telemetry._activity?.SetTag("serving.prompt_tokens", promptTokens);
        telemetry._activity?.SetTag("serving.choices", choices);
        metrics.PromptTokens.Add(promptTokens);
        return telemetry;
    }

    public ChoiceTiming Choice() => new(metrics, startedAt);

    public void Dispose() => _activity?.Dispose();
}
