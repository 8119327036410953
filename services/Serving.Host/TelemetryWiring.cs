using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serving.Gateway.Cluster;
using Serving.Gateway.Telemetry;
using Serving.Worker.Telemetry;

namespace Serving.Host;

/// <summary>
/// OpenTelemetry for every `serving` process: the gateway's and workers' meters and spans, ASP.NET Core and Orleans
/// spans, a Prometheus scrape endpoint (/metrics), and OTLP export when an endpoint is configured.
/// </summary>
internal static class TelemetryWiring
{
    static readonly string[] Sources = [GatewayMetrics.ActivitySourceName, ServingClient.ActivitySourceName, WorkerTelemetry.Name, "Microsoft.Orleans.Application"];

    public static void AddServingTelemetry(this WebApplicationBuilder builder, HostSettings settings)
    {
        // --otlp-endpoint, else the exporters' own OTEL_EXPORTER_OTLP_* variables.
        var otlp = settings.OtlpEndpoint is not null || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("serving", serviceInstanceId: $"{settings.AdvertiseAddress}:{settings.SiloPort}")
                .AddAttributes([new("serving.roles", string.Join(",", settings.Roles.Order()))]))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayMetrics.MeterName, WorkerTelemetry.Name, Serving.Cluster.ClusterWiring.RouterMeterName).AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (otlp)
                    metrics.AddOtlpExporter(o => Otlp(o, settings, "metrics"));
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(Sources).AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrapeOrProbe(http.Request.Path));
                if (otlp)
                    tracing.AddOtlpExporter(o => Otlp(o, settings, "traces"));
            });
    }

    static void Otlp(OtlpExporterOptions options, HostSettings settings, string signal)
    {
        if (settings.OtlpEndpoint is not { } endpoint)
            return;
        var http = settings.OtlpProtocol == "http/protobuf";
        options.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Set in code, an OTLP/HTTP endpoint is the signal's full URL (only the environment variable gets the path appended).
        options.Endpoint = new Uri(http ? $"{endpoint.TrimEnd('/')}/v1/{signal}" : endpoint);
    }

    /// <summary>/metrics for Prometheus, on the gateway's port, or on --metrics-port in processes without a gateway.</summary>
    public static void MapServingMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");

    static bool IsScrapeOrProbe(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments("/livez") || path.StartsWithSegments("/readyz");
}
