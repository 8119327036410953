using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serving.Contracts;
using Serving.Gateway.Cluster;

namespace Serving.Gateway.Lifecycle;

/// <summary>
/// Whether this gateway can serve a request end to end: it is not shutting down, the router answers, and some worker
/// can decode (decode and mixed workers can also prefill, locally). Behind /health and the readiness probe (/readyz).
/// </summary>
internal sealed class GatewayReadiness(ServingClient cluster, GatewayDrain drain) : IHealthCheck
{
    // Kubernetes probes time out after 1 s by default: answer within that, even when the router is unreachable.
    static readonly TimeSpan ProbeBudget = TimeSpan.FromMilliseconds(900);

    public async Task<Verdict> CheckAsync()
    {
        if (drain.Draining)
            return new Verdict(false, "this gateway is shutting down", []);
        WorkerStatus[] workers;
        try
        {
            workers = await cluster.WorkersOnceAsync(ProbeBudget);
        }
        catch (Exception e)
        {
            return new Verdict(false, $"the router cannot be reached ({e.GetType().Name})", []);
        }
        var canDecode = workers.Any(w => w.Worker.Role is WorkerRole.Decode or WorkerRole.Mixed);
        if (canDecode)
            return new Verdict(true, null, workers);
        return new Verdict(false, workers.Length == 0 ? "no workers are up" : "no worker can decode (only prefill workers are up)", workers);
    }

    async Task<HealthCheckResult> IHealthCheck.CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var verdict = await CheckAsync();
        return verdict.Ready ? HealthCheckResult.Healthy($"{verdict.Workers.Length} worker(s) up") : HealthCheckResult.Unhealthy(verdict.Reason);
    }

    public sealed record Verdict(bool Ready, string? Reason, WorkerStatus[] Workers);
}
