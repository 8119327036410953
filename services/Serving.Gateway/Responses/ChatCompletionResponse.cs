using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record ChatCompletionResponse(
    [property: JsonPropertyName("id"), JsonPropertyOrder(-2)] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChoice> Choices,
    [property: JsonPropertyName("usage")] Usage Usage)
{
    [JsonPropertyName("object"), JsonPropertyOrder(-1)] public string Object => "chat.completion";
}
