using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;

namespace Serving.Cluster.Health;

/// <summary>The workers' part of the process's probes: alive while their engine loops make progress, ready once in routing.</summary>
public static class WorkerHealthChecks
{
    public static IHealthChecksBuilder AddServingWorkerChecks(this IHealthChecksBuilder checks, WorkerHealthOptions options)
    {
        checks.Services.AddSingleton(options);
        return checks
            .AddCheck<WorkersLiveness>("engines", tags: [ProbeTags.Live])
            .AddCheck<WorkersReadiness>("workers", tags: [ProbeTags.Ready]);
    }
}
