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
        var canPrefill = workers.Any(w => w.Role is WorkerRole.Prefill or WorkerRole.Mixed || w.Role == WorkerRole.Decode);
        var canDecode = workers.Any(w => w.Role is WorkerRole.Decode or WorkerRole.Mixed);
        if (canPrefill && canDecode)
            return Results.Json(new { status = "ok", workers = workers.Select(w => new { id = w.WorkerId, role = w.Role.ToString().ToLowerInvariant() }) });
        return Results.Json(new { status = "unavailable", reason = workers.Length == 0 ? "no workers are up" : "no worker can decode" }, statusCode: 503);
    }
}
