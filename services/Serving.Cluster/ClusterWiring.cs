using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Serving.Cluster.Placement;
using Serving.Cluster.Planner;
using Serving.Cluster.Routing;
using Serving.Cluster.Streaming;
using Serving.Cluster.Workers;

namespace Serving.Cluster;

/// <summary>Wiring for a process that joins the cluster: its workers, their heartbeat, routing and worker placement.</summary>
public static class ClusterWiring
{
    /// <summary>The router's meter (routing decisions by reason).</summary>
    public const string RouterMeterName = Grains.RouterGrain.MeterName;

    public static IServiceCollection AddServingWorkers(this IServiceCollection services, ServingClusterOptions options, RoutingOptions routing)
    {
        services.AddSingleton(options);
        services.AddSingleton(routing);
        services.TryAddSingleton(TimeProvider.System);
        // Workers start (engines loaded) before the heartbeat announces them to the router.
        services.AddSingleton<LocalWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalWorkers>());
        services.AddSingleton<WorkerHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerHeartbeat>());
        services.AddSingleton<WorkerDrain>();
        services.AddSingleton<TokenStreams>();
        return services;
    }

    /// <summary>The runtime planner's settings (every silo may host the planner grain).</summary>
    public static IServiceCollection AddServingPlanner(this IServiceCollection services, PlannerOptions options)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The grain directory worker grains register in (see <see cref="AddServingPlacement"/>).</summary>
    public const string WorkerDirectory = "workers";

    /// <summary>
    /// Worker grains live on their own silo (placement), registered in Orleans' distributed grain directory, which
    /// hands a leaving silo's directory range over to the others. With the default directory, a silo that stops —
    /// a drained worker process leaving — takes its range with it, and every activation registered there is
    /// deactivated, on every silo: the streams of workers that were not stopping broke (seen in the SIGTERM tests).
    /// </summary>
    public static ISiloBuilder AddServingPlacement(this ISiloBuilder silo)
    {
        silo.Services.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10: opted into for the worker grains only
        silo.AddDistributedGrainDirectory(WorkerDirectory);
#pragma warning restore ORLEANSEXP003
        return silo;
    }

    /// <summary>
    /// How quickly a silo whose process died is declared dead: that is what breaks the streams still waiting on it
    /// (Orleans fails a dead silo's outstanding calls only then), takes its workers out of routing and lets the
    /// grains it hosted (the router) start elsewhere. Orleans' defaults (a probe every 5 s, 3 missed) take 15–20 s;
    /// a probe every second with the same 3 misses takes about 3–4 s. A busy silo is not at risk: a process killed
    /// refuses the connection at once, while a live one answers pings from its thread pool whatever its engines do,
    /// and Orleans lengthens the timeout while the prober itself is degraded and confirms through another silo first.
    /// </summary>
    public static ISiloBuilder AddServingFailureDetection(this ISiloBuilder silo, TimeSpan probeInterval)
    {
        silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = probeInterval;
            o.NumMissedProbesLimit = 3;
        });
        return silo;
    }
}
