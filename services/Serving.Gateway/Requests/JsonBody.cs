using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Requests;

/// <summary>
/// A request body's fields, read with OpenAI's rules: unknown fields are ignored, <c>null</c> is the same as absent,
/// a wrong type or an out-of-range value is a 400 naming the field.
/// </summary>
internal sealed class JsonBody(JsonElement root, IDisposable? owner = null) : IDisposable
{
    const int MaxBodyDepth = 64;

    public JsonElement Root { get; } = root;

    /// <summary>
    /// Reads the whole body, at most <paramref name="maxBytes"/> of it (Kestrel answers 413 beyond, before reading
    /// more), into one array of its declared length when it has one.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;
        if (request.ContentLength > maxBytes)
            throw new ApiException(413, $"The request body is {request.ContentLength} bytes; this server takes at most {maxBytes}.", "invalid_request_error", code: "request_too_large");
        if (request.ContentLength is { } length)
        {
            // Sized once: a 4 MiB body costs one 4 MiB array, not a MemoryStream's doublings up to 8.
            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>Parses a body read by <see cref="ReadBytesAsync"/>: a JSON object in UTF-8, else 400. Dispose it when done.</summary>
    public static JsonBody Parse(ReadOnlyMemory<byte> bytes)
    {
        // JsonDocument checks the UTF-8 of strings only when they are read; refuse bad bytes here, as a 400.
        if (!Utf8.IsValid(bytes.Span))
            throw ApiException.BadRequest("the request body is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxBodyDepth });
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON ({Describe(e)}).");
        }
        var problem = document.RootElement.ValueKind != JsonValueKind.Object ? "the request body must be a JSON object."
            : LoneSurrogate(bytes.Span) is { } at ? $"the request body holds a \\u escape of a lone surrogate (at byte {at}), which is not text."
            : null;
        if (problem is not null)
        {
            document.Dispose();
            throw ApiException.BadRequest(problem);
        }
        return new JsonBody(document.RootElement, document);
    }

    /// <summary>
    /// Where a string or name escapes half a surrogate pair (<c>"\ud800"</c>): valid JSON, yet reading it as text
    /// throws, so it is refused here once rather than as a 500 wherever a field happens to be read.
    /// </summary>
    static long? LoneSurrogate(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxBodyDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
                continue;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return reader.TokenStartIndex;
            }
        }
        return null;
    }

    /// <summary>Gives back the parsed document's buffers (a body from <see cref="Parse"/>); its elements are unusable after.</summary>
    public void Dispose() => owner?.Dispose();

    public JsonElement? Field(string name) =>
        Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public string? String(string name) => Field(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        _ => throw WrongType(name, "a string"),
    };

    public bool? Bool(string name) => Field(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw WrongType(name, "a boolean"),
    };

    public int? Int(string name, int min, int max = int.MaxValue)
    {
        if (Field(name) is not { } v)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n))
            throw v.ValueKind == JsonValueKind.Number && IsIntegral(v)
                ? OutOfRange(name, min, max)
                : WrongType(name, "an integer");
        if (n < min || n > max)
            throw OutOfRange(name, min, max);
        return (int)n;
    }

    public long? Long(string name)
    {
        if (Field(name) is not { } v)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n))
            throw WrongType(name, "a 64-bit integer");
        return n;
    }

    public double? Number(string name, double min, double max)
    {
        if (Field(name) is not { } v)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var x) || !double.IsFinite(x))
            throw WrongType(name, "a number");
        if (x < min || x > max)
            throw ApiException.BadRequest($"'{name}' must be between {min} and {max}; got {x}.", name);
        return x;
    }

    /// <summary>A string or an array of strings (e.g. <c>stop</c>).</summary>
    public IReadOnlyList<string> Strings(string name) => Field(name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.String } v => [v.GetString()!],
        { ValueKind: JsonValueKind.Array } v when v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => [.. v.EnumerateArray().Select(e => e.GetString()!)],
        _ => throw WrongType(name, "a string or an array of strings"),
    };

    public IReadOnlyList<int> Ints(string name, int min, int max) => Field(name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } v => TokenIds(v, name, min, max),
        _ => throw WrongType(name, "an array of integers"),
    };

    public JsonElement? Object(string name) => Field(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } v => v,
        _ => throw WrongType(name, "an object"),
    };

    /// <summary>An array of integers each in [min, max) — token ids checked against the vocabulary.</summary>
    public static int[] TokenIds(JsonElement array, string name, int min, int max)
    {
        var ids = new int[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out var id))
                throw WrongType(name, "an array of integers");
            if (id < min || id >= max)
                throw ApiException.BadRequest($"'{name}' holds token id {id}, outside the vocabulary [{min}, {max}).", name);
            ids[i++] = (int)id;
        }
        return ids;
    }

    public static ApiException WrongType(string name, string expected) => ApiException.BadRequest($"'{name}' must be {expected}.", name);

    static ApiException OutOfRange(string name, int min, int max) => ApiException.BadRequest(
        $"'{name}' must be an integer between {min} and {max}.", name);

    static bool IsIntegral(JsonElement v) => v.GetRawText().IndexOfAny(['.', 'e', 'E']) < 0;

    // System.Text.Json's message names the problem and its position; it carries no stack trace.
    static string Describe(JsonException e) => e.Message.TrimEnd('.');
}
