using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

/// <summary>A /v1/completions answer, or (with <c>object</c> the same, as OpenAI sends it) one streamed chunk of it.</summary>
internal sealed record CompletionResponse(
    [property: JsonPropertyName("id"), JsonPropertyOrder(-2)] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<CompletionChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    [JsonPropertyName("object"), JsonPropertyOrder(-1)] public string Object => "text_completion";
}
