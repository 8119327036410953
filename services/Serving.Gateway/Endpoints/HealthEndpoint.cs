using Microsoft.AspNetCore.Http;
using Serving.Cluster.Abstractions;
using Serving.Cluster.Client;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Endpoints;

/// <summary>GET /health: 200 when the cluster can serve a request end to end, 503 with the reason otherwise.</summary>
internal static class HealthEndpoint
{
    static IResult Report(string status, string? reason, WorkerHealth[] workers, int code) =>
        Results.Json(new HealthReport(status, reason, workers), GatewayJson.Api.HealthReport, statusCode: code);

    // Kubernetes probes time out after 1 s by default: answer within that, even when the router is unreachable.
    static readonly TimeSpan ProbeBudget = TimeSpan.FromMilliseconds(900);

    public static async Task<IResult> Handle(ServingClient cluster)
    {
        WorkerStatus[] workers;
        try
        {
            workers = await cluster.WorkersOnceAsync(ProbeBudget);
        }
        catch (Exception e)
        {
            return Report("unavailable", $"the router cannot be reached ({e.GetType().Name})", [], 503);
        }
        // Decode and mixed workers can also prefill (locally): any of them makes the cluster able to serve.
        var canPrefill = workers.Any(w => w.Worker.Role is WorkerRole.Prefill or WorkerRole.Mixed or WorkerRole.Decode);
        var canDecode = workers.Any(w => w.Worker.Role is WorkerRole.Decode or WorkerRole.Mixed);
        var list = workers.Select(w => new WorkerHealth(
            w.Worker.WorkerId, w.Worker.Role.ToString().ToLowerInvariant(), w.Load.Waiting, w.Load.Running, w.Load.FreeBlocks, w.Load.TotalBlocks)).ToArray();
        if (canPrefill && canDecode)
            return Report("ok", null, list, 200);
        var reason = workers.Length == 0 ? "no workers are up" : "no worker can decode (only prefill workers are up)";
        return Report("unavailable", reason, list, 503);
    }
}
