using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record ChatLogprobs([property: JsonPropertyName("content")] IReadOnlyList<ChatTokenLogprob> Content);
