using System.Text.Json.Serialization;

namespace Serving.Gateway.Errors;

internal sealed record ErrorBody([property: JsonPropertyName("error")] ErrorDetail Error);
