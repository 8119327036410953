using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;

namespace Serving.Gateway.Lifecycle;

/// <summary>The gateway's part of the process's probes: ready when it can serve (see <see cref="GatewayReadiness"/>).</summary>
public static class GatewayHealthChecks
{
    public static IHealthChecksBuilder AddServingGatewayChecks(this IHealthChecksBuilder checks) =>
        checks.AddCheck<GatewayReadiness>("gateway", tags: [ProbeTags.Ready]);
}
