using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Errors;
using Serving.Gateway.Generation;
using Serving.Gateway.Telemetry;

namespace Serving.Gateway.Lifecycle;

/// <summary>
/// In front of the API routes while the gateway stops: new requests are refused with 503 (the client retries on
/// another gateway), and requests in flight end when the drain time is over.
/// </summary>
internal static class DrainGate
{
    public static IApplicationBuilder UseDrainGate(this IApplicationBuilder app, GatewayDrain drain) => app.Use(async (http, next) =>
    {
        if (!IsApi(http.Request.Path))
        {
            await next(http);
            return;
        }
        if (drain.Draining)
        {
            // A fresh connection is likely to reach another gateway; this one is going away.
            http.Response.Headers.Connection = "close";
            throw new ApiException(503, "This server is shutting down; retry the request.", "service_unavailable", code: "shutting_down") { RetryAfterSeconds = 1 };
        }
        var clientGone = http.RequestAborted;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientGone, drain.Cut);
        http.RequestAborted = linked.Token;
        using var held = drain.Enter();
        try
        {
            await next(http);
        }
        catch (OperationCanceledException) when (drain.Cut.IsCancellationRequested && !clientGone.IsCancellationRequested)
        {
            // Cut by the drain deadline, not abandoned by the client: say so, so no client takes a truncated answer for a whole one.
            http.RequestAborted = clientGone;
            var cut = new ApiException(503, "This server is shutting down and its drain time is over; the request was cut short, retry it.", "service_unavailable", code: "shutting_down")
            {
                RetryAfterSeconds = 1,
            };
            if (!http.Response.HasStarted)
                throw cut;
            http.Items[RequestOutcomes.StreamFailedKey] = true;
            await new SseWriter(http.Response).EndWithErrorAsync(cut, clientGone);
        }
        finally
        {
            http.RequestAborted = clientGone;
        }
    });

    static bool IsApi(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/tokenize") || path.StartsWithSegments("/detokenize");
}
