using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record ModelCard(
    [property: JsonPropertyName("id"), JsonPropertyOrder(-2)] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("max_model_len")] int MaxModelLength)
{
    [JsonPropertyName("object"), JsonPropertyOrder(-1)] public string Object => "model";
    [JsonPropertyName("owned_by")] public string OwnedBy => "serving";
}
