using System.Text.Json;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Requests;

/// <summary>
/// The <c>prompt</c> of /v1/completions in its four forms — a string, an array of strings, an array of token ids,
/// an array of token-id arrays — as token lists, with the text of each (for echo).
/// </summary>
internal static class CompletionPrompts
{
    public const int MaxPrompts = 256;

    public static IReadOnlyList<(IReadOnlyList<int> Tokens, string Text)> Read(JsonBody body, ServedModel model)
    {
        if (body.Field("prompt") is not { } prompt)
            throw ApiException.BadRequest("'prompt' is required.", "prompt");
        // Counted before anything is tokenized.
        if (prompt.ValueKind == JsonValueKind.Array && prompt.GetArrayLength() > MaxPrompts && prompt[0].ValueKind != JsonValueKind.Number)
            throw ApiException.BadRequest($"'prompt' holds {prompt.GetArrayLength()} prompts; at most {MaxPrompts} per request.", "prompt");
        List<(IReadOnlyList<int> Tokens, string Text)> prompts = prompt.ValueKind switch
        {
            JsonValueKind.String => [FromText(prompt.GetString()!, model)],
            JsonValueKind.Array when prompt.GetArrayLength() == 0 => throw ApiException.BadRequest("'prompt' must not be empty.", "prompt"),
            JsonValueKind.Array => prompt[0].ValueKind switch
            {
                JsonValueKind.Number => [FromIds(prompt, model)],
                JsonValueKind.String => [.. prompt.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? FromText(p.GetString()!, model) : throw Shape())],
                JsonValueKind.Array => [.. prompt.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.Array ? FromIds(p, model) : throw Shape())],
                _ => throw Shape(),
            },
            _ => throw Shape(),
        };
        return prompts;
    }

    static (IReadOnlyList<int>, string) FromText(string text, ServedModel model)
    {
        var tokens = model.Tokenizer.Encode(text);
        if (tokens.Count == 0)
            throw ApiException.BadRequest("'prompt' must not be empty.", "prompt");
        return (tokens, text);
    }

    static (IReadOnlyList<int>, string) FromIds(JsonElement ids, ServedModel model)
    {
        var tokens = JsonBody.TokenIds(ids, "prompt", 0, model.VocabSize);
        if (tokens.Length == 0)
            throw ApiException.BadRequest("'prompt' must not be empty.", "prompt");
        return (tokens, model.Tokenizer.Decode(tokens, skipSpecialTokens: false));
    }

    static ApiException Shape() => JsonBody.WrongType("prompt", "a string, an array of strings, an array of token ids, or an array of token-id arrays");
}
