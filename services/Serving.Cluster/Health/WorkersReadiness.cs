using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serving.Cluster.Workers;

namespace Serving.Cluster.Health;

/// <summary>
/// Ready when every worker of this process has been warmed up (done before it is announced) and taken into routing
/// by the router, and the process is not shutting down.
/// </summary>
internal sealed class WorkersReadiness(LocalWorkers workers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var all = workers.All;
        if (all.Count == 0)
            return Task.FromResult(HealthCheckResult.Unhealthy("the workers are not started yet"));
        if (all.FirstOrDefault(w => w.Leaving) is { } leaving)
            return Task.FromResult(HealthCheckResult.Unhealthy($"shutting down: worker {leaving.Key} takes no new work"));
        if (all.FirstOrDefault(w => !w.Registered) is { } waiting)
            return Task.FromResult(HealthCheckResult.Unhealthy($"worker {waiting.Key} is not registered with the router yet"));
        return Task.FromResult(HealthCheckResult.Healthy($"{all.Count} worker(s) in routing"));
    }
}
