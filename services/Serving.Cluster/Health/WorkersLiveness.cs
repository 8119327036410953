using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Serving.Cluster.Workers;

namespace Serving.Cluster.Health;

/// <summary>
/// Alive while every worker's engine loop makes progress: idle, or finishing steps. A loop stuck in one step (or
/// command) for longer than the limit — a hung kernel, a deadlock — fails the liveness probe, and Kubernetes restarts
/// the pod (its requests resume on other workers).
/// </summary>
internal sealed partial class WorkersLiveness(LocalWorkers workers, WorkerHealthOptions options, ILogger<WorkersLiveness> logger) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        foreach (var worker in workers.All)
        {
            if (worker.Loop.StuckFor(options.StallLimit) is { } stuck)
            {
                Log.Stuck(logger, worker.Key, stuck.TotalSeconds, options.StallLimit.TotalSeconds);
                return Task.FromResult(HealthCheckResult.Unhealthy(
                    $"worker {worker.Key}'s engine loop has made no progress for {stuck.TotalSeconds:0} s (limit {options.StallLimit.TotalSeconds:0} s)"));
            }
        }
        return Task.FromResult(HealthCheckResult.Healthy());
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerKey}: the engine loop has made no progress for {Seconds:0} s (limit {Limit:0} s); the liveness probe fails, so the pod will be restarted.")]
        public static partial void Stuck(ILogger logger, string workerKey, double seconds, double limit);
    }
}
