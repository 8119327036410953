using System.Text.Json;
using System.Text.RegularExpressions;

namespace Serving.LoadTest.Soak.Client;

/// <summary>Whether a response body is OpenAI's error object, and the tell-tale signs of a leaked stack trace.</summary>
internal static partial class ErrorBody
{
    /// <summary>The error's message (with its code when there is one), or null when <paramref name="text"/> is not <c>{"error": {"message": "..."}}</c>.</summary>
    public static string? Message(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return Message(json.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? Message(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            return null;
        if (!error.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String || message.GetString() is not { Length: > 0 } text)
            return null;
        return error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? $"{code.GetString()}: {text}" : text;
    }

    /// <summary>Whether the text carries a .NET (or Python) stack trace: a frame is "at Namespace.Type.Method(...)".</summary>
    public static bool HasStackTrace(string text) => DotNetFrame().IsMatch(text) || text.Contains("Traceback (most recent call last)", StringComparison.Ordinal);

    [GeneratedRegex(@"\bat [\w`<>]+(\.[\w`<>\[\]+|]+)+\(.*\)", RegexOptions.CultureInvariant)]
    private static partial Regex DotNetFrame();

    public static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
