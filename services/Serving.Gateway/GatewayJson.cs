using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Gateway.Errors;
using Serving.Gateway.Responses;

namespace Serving.Gateway;

/// <summary>Source-generated serializers for everything the API writes: no reflection on the per-token path.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatChunk))]
[JsonSerializable(typeof(TokenizeResponse))]
[JsonSerializable(typeof(DetokenizeResponse))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(ModelList))]
internal sealed partial class GatewayJson : JsonSerializerContext
{
    /// <summary>Writes text as OpenAI does (apostrophes and non-ASCII as they are, not as \u escapes).</summary>
    public static GatewayJson Api { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
