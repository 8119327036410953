using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serving.Cluster.Abstractions;
using Serving.Cluster.Client;
using Serving.Engine.Tokenization;

namespace Serving.Gateway;

/// <summary>The gateway's HTTP surface, in request order: health, models, completions.</summary>
public static class GatewayEndpoints
{
    public static IServiceCollection AddServingGateway(this IServiceCollection services, ServingGatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(_ => TextTokenizer.Load(options.ModelFolder));
        services.AddSingleton<ServingClient>();
        return services;
    }

    public static IEndpointRouteBuilder MapServingGateway(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health);
        app.MapGet("/v1/models", (ServingGatewayOptions o) => Results.Json(new
        {
            @object = "list",
            data = new[] { new { id = o.ModelName, @object = "model", created = 0, owned_by = "serving" } },
        }));
        app.MapPost("/v1/completions", CompletionsEndpoint.Handle);
        return app;
    }

    static async Task<IResult> Health(ServingClient cluster)
    {
        var workers = await cluster.WorkersAsync();
        // Decode and mixed workers can also prefill (locally), so any of them makes the cluster able to serve.
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
        if (canDecode)
            return Results.Json(new { status = "ok", workers = list });
        return Results.Json(new { status = "unavailable", reason = workers.Length == 0 ? "no workers are up" : "no worker can decode (only prefill workers are up)", workers = list }, statusCode: 503);
    }
}
