using Microsoft.AspNetCore.Http;
using Serving.Gateway.Lifecycle;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Endpoints;

/// <summary>GET /health: 200 when the cluster can serve a request end to end, 503 with the reason otherwise, and the workers either way.</summary>
internal static class HealthEndpoint
{
    public static async Task<IResult> Handle(GatewayReadiness readiness)
    {
        var verdict = await readiness.CheckAsync();
        var list = verdict.Workers.Select(w => new WorkerHealth(
            w.Worker.WorkerId, w.Worker.Role.ToString().ToLowerInvariant(), w.Load.Waiting, w.Load.Running, w.Load.FreeBlocks, w.Load.TotalBlocks)).ToArray();
        return Results.Json(new HealthReport(verdict.Ready ? "ok" : "unavailable", verdict.Reason, list), GatewayJson.Api.HealthReport,
            statusCode: verdict.Ready ? 200 : 503);
    }
}
