using System.Text.Json;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Requests;

/// <summary>
/// Known OpenAI and vLLM fields that would change the answer but are not implemented: a client asking for one gets
/// a 400 saying so, not a 200 that silently ignored it. Their neutral values (e.g. <c>response_format: text</c>) pass.
/// </summary>
internal static class Unsupported
{
    static readonly (string Field, Func<JsonElement, bool> IsNeutral, string Why)[] Fields =
    [
        ("response_format", v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "text",
            "structured output (JSON mode, JSON schema) is not supported; only {\"type\": \"text\"}"),
        ("logit_bias", v => v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any(), "logit_bias is not supported"),
        ("tool_choice", v => v.ValueKind == JsonValueKind.String && v.GetString() is "none" or "auto",
            "only 'none' and 'auto' are supported (tool calls are not parsed out of the output)"),
        ("best_of", v => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var b) && b == 1, "best_of above 1 is not supported; use n"),
        ("suffix", v => v.ValueKind == JsonValueKind.String && v.GetString()!.Length == 0, "suffix (insertion) is not supported"),
        ("prompt_logprobs", _ => false, "prompt logprobs are not computed"),
        ("guided_json", _ => false, "guided decoding is not supported"),
        ("guided_regex", _ => false, "guided decoding is not supported"),
        ("guided_choice", _ => false, "guided decoding is not supported"),
        ("guided_grammar", _ => false, "guided decoding is not supported"),
        ("structured_outputs", _ => false, "guided decoding is not supported"),
    ];

    public static void Check(JsonBody body)
    {
        foreach (var (field, isNeutral, why) in Fields)
        {
            if (body.Field(field) is { } value && !isNeutral(value))
                throw ApiException.BadRequest($"'{field}': {why}.", field, "unsupported_parameter");
        }
    }
}
