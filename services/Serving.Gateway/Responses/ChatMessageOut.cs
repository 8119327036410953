using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

/// <summary>An assistant message, whole (<c>message</c>) or as a streamed <c>delta</c> (unset fields left out).</summary>
internal sealed record ChatMessageOut(
    [property: JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonPropertyName("content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);
