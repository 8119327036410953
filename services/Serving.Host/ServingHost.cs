using System.Net;
using Orleans.Configuration;
using Serving.Cluster;
using Serving.Contracts;
using Serving.Cluster.Health;
using Serving.Cluster.Routing;
using Serving.Cluster.Workers;
using Serving.Engine.DefaultModel;
using Serving.Engine.Core;
using Serving.Gateway;
using Serving.Gateway.Lifecycle;
using Serving.Host.Clustering;
using Serving.Host.Lifecycle;
using Serving.Worker.Security;
using Serving.Worker.Transfer;

namespace Serving.Host;

/// <summary>Builds one `serving` process from its settings: Kestrel endpoints, the Orleans silo, workers and gateway.</summary>
internal static class ServingHost
{
    /// <param name="engines">Makes the workers' engines; the model engine by default (the gateway benchmark passes a fake).</param>
    public static WebApplication Build(HostSettings settings, string[] args, Func<EngineOptions, LlmEngine>? engines = null)
    {
        var modelFolder = settings.ModelPath ?? DefaultModelStore.EnsureDefault();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            // A request's lines carry its id (the gateway opens a scope per request).
            o.IncludeScopes = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        // A failing probe answers with its reason; the checks' own log line per probe would only repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);

        var kvOptions = new GrpcKvOptions();
        // Loaded once, before anything listens: a missing or foreign certificate stops the process here.
        var tls = settings.TlsDirectory is { } tlsDirectory ? ClusterTls.Load(tlsDirectory) : null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (settings.IsGateway)
                kestrel.Listen(IPAddress.Any, settings.HttpPort);
            if (settings.HasKvReceiver)
                kestrel.ListenForKv(settings.InternalListenAddress, settings.KvPort, kvOptions, tls);
            // A gateway's /metrics moves here (open to scrapers) when given; on its API port it then needs a key.
            if (settings.MetricsPort is { } metricsPort)
                kestrel.Listen(IPAddress.Any, metricsPort);
        });
        builder.AddServingTelemetry(settings);

        var services = builder.Services;
        // SIGTERM: drain first (GracefulShutdown), then stop; the host's own deadline leaves room for both.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = GracefulShutdown.ShutdownTimeout(settings));
        services.AddSingleton(settings);
        services.AddHostedService<GracefulShutdown>();
        var checks = services.AddHealthChecks();
        if (settings.Workers().Any())
            checks.AddServingWorkerChecks(new WorkerHealthOptions(TimeSpan.FromSeconds(settings.LivenessStallSeconds)));
        services.AddServingKvTransfer(kvOptions);
        services.AddServingKvTransport(KvTransportKinds.Parse(settings.Transport), tls);
        var engine = EngineOptions(settings, modelFolder);
        services.AddServingWorkers(new ServingClusterOptions
        {
            Workers = settings.Workers().Select(w => new WorkerSpec(w.Name, w.Role, engine)).ToArray(),
            Prefill = new ClusterEngineSettings(settings.PrefillLayerGroups, settings.PrefillChunkTokens),
            KvAddress = $"{(tls is null ? "http" : "https")}://{settings.AdvertiseAddress}:{settings.KvPort}",
            EngineFactory = engines ?? LlmEngine.Create,
            StepTraceDirectory = settings.StepTraceDirectory,
            StallTimeout = TimeSpan.FromSeconds(settings.StallSeconds),
            HangFile = settings.HangFile,
            MaxWaiting = settings.MaxWaiting,
        }, new RoutingOptions
        {
            Policy = settings.Policy,
            PrefixCacheWeight = settings.PrefixCacheWeight,
            PrefixQueueWeight = settings.PrefixQueueWeight,
            PrefixKvWeight = settings.PrefixKvWeight,
            ShortPromptThreshold = settings.ShortPromptThreshold,
            StallTimeout = TimeSpan.FromSeconds(settings.StallSeconds),
        });
        using (var loggers = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true)))
            services.AddServingPlanner(PlannerWiring.Options(settings, modelFolder, loggers.CreateLogger("Serving.Host.Planner")));
        if (settings.IsGateway)
            services.AddServingGateway(new ServingGatewayOptions(Path.GetFileName(modelFolder.TrimEnd('/')), modelFolder)
            {
                ApiKeys = settings.ApiKeys,
                MetricsPort = settings.MetricsPort,
                Limits = settings.Limits,
                MaxConcurrentRequests = settings.MaxConcurrentRequests,
                RequestTimeout = settings.RequestTimeoutSeconds > 0 ? TimeSpan.FromSeconds(settings.RequestTimeoutSeconds) : null,
                PrepareConcurrency = settings.PrepareConcurrency,
                PrepareQueue = settings.PrepareQueue,
            });
        if (settings.IsGateway)
        {
            checks.AddServingGatewayChecks();
            services.AddHostedService<TokenSinkWatch>();
        }

        builder.Host.UseOrleans(silo =>
        {
            if (settings.Redis is { } redis)
                silo.UseServingRedisClustering(settings, redis);
            else
                silo.UseLocalhostClustering(settings.SiloPort, settings.OrleansClientPort);
            if (tls is not null)
                silo.UseServingTls(tls);
            silo.AddServingPlacement();
            silo.AddServingFailureDetection(TimeSpan.FromSeconds(settings.ProbeSeconds));
            // Trace context crosses grain calls, so a request is one trace from the gateway to the workers.
            silo.AddActivityPropagation();
        });

        var app = builder.Build();
        if (settings.HasKvReceiver)
            app.MapServingKvTransfer();
        if (settings.IsGateway)
            app.UseServingGateway();
        if (settings.IsGateway || settings.MetricsPort is not null)
        {
            app.MapServingMetrics();
            app.MapServingProbes();
        }
        return app;
    }

    /// <summary>Each worker's engine before its role's prefill settings (<see cref="RoleEngineSettings"/>) are applied.</summary>
    static EngineOptions EngineOptions(HostSettings settings, string modelFolder) => new()
    {
        ModelPath = modelFolder,
        DType = settings.DType,
        Device = settings.Device,
        KvCacheBytes = (long)settings.KvCacheMb << 20,
    };
}
