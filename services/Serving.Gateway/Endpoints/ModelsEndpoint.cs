using Microsoft.AspNetCore.Http;

namespace Serving.Gateway.Endpoints;

/// <summary>GET /v1/models: the one model this cluster serves.</summary>
internal static class ModelsEndpoint
{
    static readonly long Started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static IResult Handle(ServedModel model) => Results.Json(new
    {
        @object = "list",
        data = new[] { new { id = model.Name, @object = "model", created = Started, owned_by = "serving", max_model_len = model.MaxModelLength } },
    });
}
