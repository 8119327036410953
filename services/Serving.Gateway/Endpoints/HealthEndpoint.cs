using Microsoft.AspNetCore.Http;
using Serving.Gateway.Lifecycle;
using Serving.Gateway.Responses;
using Serving.Gateway.Security;

namespace Serving.Gateway.Endpoints;

/// <summary>
/// GET /health: 200 when the cluster can serve a request end to end, 503 otherwise. With API keys on, a caller
/// without a key learns only that; one with a key (or any caller, with keys off) also gets the reason and the workers.
/// </summary>
internal static class HealthEndpoint
{
    public static async Task<IResult> Handle(GatewayReadiness readiness, ApiKeys keys, HttpContext http)
    {
        var verdict = await readiness.CheckAsync();
        if (!keys.Authorizes(http.Request))
            return Results.Json(new HealthReport(verdict.Ready ? "ok" : "unavailable", null, null), GatewayJson.Api.HealthReport,
                statusCode: verdict.Ready ? 200 : 503);
        var list = verdict.Workers.Select(w => new WorkerHealth(
            w.Worker.WorkerId, w.Worker.Role.ToString().ToLowerInvariant(), w.Load.Waiting, w.Load.Running, w.Load.FreeBlocks, w.Load.TotalBlocks)).ToArray();
        return Results.Json(new HealthReport(verdict.Ready ? "ok" : "unavailable", verdict.Reason, list), GatewayJson.Api.HealthReport,
            statusCode: verdict.Ready ? 200 : 503);
    }
}
