using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serving.Cluster.Health;
using Serving.Contracts;

namespace Serving.Host.Lifecycle;

/// <summary>
/// Kubernetes-style probes on the process's HTTP port (the gateway's, or --metrics-port): /livez fails when an engine
/// loop is stuck (restart the pod), /readyz fails until the process can serve and again once it is shutting down.
/// Each answers 200 or 503 with the checks and their reasons as JSON.
/// </summary>
internal static class ProbeEndpoints
{
    public static WebApplication MapServingProbes(this WebApplication app)
    {
        app.MapHealthChecks("/livez", Options(ProbeTags.Live));
        app.MapHealthChecks("/readyz", Options(ProbeTags.Ready));
        return app;
    }

    static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = WriteAsync,
        AllowCachingResponses = false,
    };

    static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status == HealthStatus.Healthy ? "ok" : "unavailable");
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", entry.Status == HealthStatus.Healthy ? "ok" : "unavailable");
            if (entry.Description is { } description)
                json.WriteString("reason", description);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
