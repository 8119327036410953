using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record TokenizeResponse(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("max_model_len")] int MaxModelLength,
    [property: JsonPropertyName("tokens")] IReadOnlyList<int> Tokens);
