using Microsoft.AspNetCore.Http;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Endpoints;

/// <summary>GET /v1/models: the one model this cluster serves.</summary>
internal static class ModelsEndpoint
{
    static readonly long Started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static IResult Handle(ServedModel model) =>
        Results.Json(new ModelList([new ModelCard(model.Name, Started, model.MaxModelLength)]), GatewayJson.Api.ModelList);
}
