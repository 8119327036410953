using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Errors;

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
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, drain.Cut);
        http.RequestAborted = linked.Token;
        await next(http);
    });

    static bool IsApi(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/tokenize") || path.StartsWithSegments("/detokenize");
}
