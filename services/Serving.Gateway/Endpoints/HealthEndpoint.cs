using Microsoft.AspNetCore.Http;
using Serving.Cluster.Abstractions;
using Serving.Cluster.Client;

namespace Serving.Gateway.Endpoints;

/// <summary>GET /health: 200 when the cluster can serve a request end to end, 503 with the reason otherwise.</summary>
internal static class HealthEndpoint
{
    public static async Task<IResult> Handle(ServingClient cluster)
    {
        WorkerStatus[] workers;
        try
        {
            workers = await cluster.WorkersAsync();
        }
        catch (Exception e)
        {
            return Results.Json(new { status = "unavailable", reason = $"the router cannot be reached ({e.GetType().Name})", workers = Array.Empty<object>() }, statusCode: 503);
        }
        // Decode and mixed workers can also prefill (locally): any of them makes the cluster able to serve.
        var canPrefill = workers.Any(w => w.Worker.Role is WorkerRole.Prefill or WorkerRole.Mixed or WorkerRole.Decode);
        var canDecode = workers.Any(w => w.Worker.Role is WorkerRole.Decode or WorkerRole.Mixed);
        var list = workers.Select(w => new
        {
            id = w.Worker.WorkerId,
            role = w.Worker.Role.ToString().ToLowerInvariant(),
            waiting = w.Load.Waiting,
            running = w.Load.Running,
            free_kv_blocks = w.Load.FreeBlocks,
            total_kv_blocks = w.Load.TotalBlocks,
        });
        if (canPrefill && canDecode)
            return Results.Json(new { status = "ok", workers = list });
        var reason = workers.Length == 0 ? "no workers are up" : "no worker can decode (only prefill workers are up)";
        return Results.Json(new { status = "unavailable", reason, workers = list }, statusCode: 503);
    }
}
