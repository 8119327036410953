using Microsoft.Extensions.DependencyInjection;
using Serving.Cluster.Placement;
using Serving.Cluster.Routing;
using Serving.Cluster.Workers;

namespace Serving.Cluster;

/// <summary>Wiring for a process that joins the cluster: its workers, their heartbeat, routing and worker placement.</summary>
public static class ClusterWiring
{
    public static IServiceCollection AddServingWorkers(this IServiceCollection services, ServingClusterOptions options, RoutingOptions routing)
    {
        services.AddSingleton(options);
        services.AddSingleton(routing);
        services.AddSingleton(TimeProvider.System);
        // Workers start (engines loaded) before the heartbeat announces them to the router.
        services.AddSingleton<LocalWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalWorkers>());
        services.AddHostedService<WorkerHeartbeat>();
        return services;
    }

    public static ISiloBuilder AddServingPlacement(this ISiloBuilder silo)
    {
        silo.Services.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
        return silo;
    }
}
