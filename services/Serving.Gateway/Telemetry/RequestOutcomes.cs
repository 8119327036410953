using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Serving.Gateway.Telemetry;

/// <summary>Counts each generation request once, by endpoint and outcome: ok, the error status, or cancelled.</summary>
internal static class RequestOutcomes
{
    /// <summary>Set by a stream that had to end with an error event (its status was already 200).</summary>
    public const string StreamFailedKey = "serving.stream_failed";

    const string ArrivedKey = "serving.arrived";

    /// <summary>When the request arrived (a Stopwatch timestamp): latencies count from here, as clients see them.</summary>
    public static long ArrivedAt(HttpContext http) => http.Items[ArrivedKey] is long at ? at : Stopwatch.GetTimestamp();

    public static IApplicationBuilder UseRequestOutcomes(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var endpoint = http.Request.Path.Value switch
        {
            "/v1/completions" => "completions",
            "/v1/chat/completions" => "chat.completions",
            _ => null,
        };
        if (endpoint is null || !HttpMethods.IsPost(http.Request.Method))
        {
            await next(http);
            return;
        }
        http.Items[ArrivedKey] = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var outcome = http.RequestAborted.IsCancellationRequested ? "cancelled"
                : http.Items.ContainsKey(StreamFailedKey) ? "stream_error"
                : http.Response.StatusCode < 400 ? "ok"
                : http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.RequestServices.GetRequiredService<GatewayMetrics>().Requests.Add(1,
                new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("outcome", outcome));
        }
    });
}
