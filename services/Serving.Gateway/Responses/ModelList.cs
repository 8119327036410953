using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record ModelList([property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data)
{
    [JsonPropertyName("object"), JsonPropertyOrder(-1)] public string Object => "list";
}
