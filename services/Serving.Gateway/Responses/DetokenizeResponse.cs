using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record DetokenizeResponse([property: JsonPropertyName("prompt")] string Prompt);
