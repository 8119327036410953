using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Errors;
using Serving.Gateway.Generation;

namespace Serving.Gateway.Telemetry;

/// <summary>One API request's telemetry: its arrival time, trace span and prompt-token count.</summary>
internal sealed class RequestTelemetry(GatewayMetrics metrics, long startedAt, ILogger logger, string requestId, IDisposable? logScope) : IDisposable
{
    readonly Activity? activity = GatewayMetrics.Activities.StartActivity("generate");

    /// <summary>Starts the request's span and a log scope, so every line logged on its behalf names the request id.</summary>
    public static RequestTelemetry Start(GatewayMetrics metrics, ILogger logger, long startedAt, string requestId, int promptTokens, int choices)
    {
        var scope = logger.BeginScope("request {ServingRequestId}", requestId);
        var telemetry = new RequestTelemetry(metrics, startedAt, logger, requestId, scope);
        telemetry.activity?.SetTag("serving.request_id", requestId);
        telemetry.activity?.SetTag("serving.prompt_tokens", promptTokens);
        telemetry.activity?.SetTag("serving.choices", choices);
        metrics.PromptTokens.Add(promptTokens);
        return telemetry;
    }

    public ChoiceTiming Choice() => new(metrics, startedAt);

    /// <summary>The API error for a failure in the cluster, logged with this request's id.</summary>
    public ApiException Failure(Exception e)
    {
        activity?.SetStatus(ActivityStatusCode.Error, e.Message);
        return ClusterErrors.ToApi(e, logger, requestId);
    }

    public void Dispose()
    {
        activity?.Dispose();
        logScope?.Dispose();
    }
}
