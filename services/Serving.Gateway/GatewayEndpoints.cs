using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Cluster;
using Serving.Gateway.Admission;
using Serving.Gateway.Endpoints;
using Serving.Gateway.Errors;
using Serving.Gateway.Lifecycle;
using Serving.Gateway.Security;
using Serving.Gateway.Telemetry;

namespace Serving.Gateway;

/// <summary>The gateway's HTTP surface. The pipeline, in request order: outcome metrics → errors → API keys → drain gate → endpoints.</summary>
public static class GatewayEndpoints
{
    public static IServiceCollection AddServingGateway(this IServiceCollection services, ServingGatewayOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ServedModel>();
        services.AddSingleton(new AdmissionControl(options.MaxConcurrentRequests));
        services.AddSingleton(new PreparationPool(options.PrepareConcurrency, options.PrepareQueue));
        services.AddSingleton(new ApiKeys(options.ApiKeys, options.MetricsPort));
        services.AddSingleton<TokenSink>();
        services.AddSingleton<ServingClient>();
        // Every request the gateway runs is measured and reported to the planner.
        services.AddSingleton<RequestObservations>();
        services.AddHostedService<ObservationReporter>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ClusterLoadMetrics>();
        services.AddSingleton<GatewayDrain>();
        services.AddSingleton<GatewayReadiness>();
        return services;
    }

    public static WebApplication UseServingGateway(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServingGatewayOptions>();
        // Load the tokenizer and chat template now, not on the first request.
        app.Services.GetRequiredService<ServedModel>();
        app.Services.GetRequiredService<ClusterLoadMetrics>();

        app.UseRequestOutcomes();
        app.UseOpenAiErrors();
        app.UseApiKeys();
        app.UseDrainGate(app.Services.GetRequiredService<GatewayDrain>());

        app.MapGet("/health", HealthEndpoint.Handle);
        app.MapGet("/v1/models", ModelsEndpoint.Handle);
        app.MapPost("/v1/completions", CompletionsEndpoint.Handle);
        app.MapPost("/v1/chat/completions", ChatCompletionsEndpoint.Handle);
        app.MapPost("/tokenize", TokenizeEndpoints.Tokenize);
        app.MapPost("/detokenize", TokenizeEndpoints.Detokenize);
        return app;
    }
}
