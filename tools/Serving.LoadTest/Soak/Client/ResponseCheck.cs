using System.Text.Json;
using Serving.LoadTest.Soak.Requests;

namespace Serving.LoadTest.Soak.Client;

/// <summary>Judges a whole (non-streamed) response: an error status, or a 200 that must hold n finished choices and some output.</summary>
internal static class ResponseCheck
{
    /// <summary>A status other than 2xx: clean when it carries OpenAI's error object and is not a 500 (an unhandled failure).</summary>
    public static (OutcomeKind Kind, string Detail) ErrorStatus(SoakRequest request, int status, string body)
    {
        if (ErrorBody.HasStackTrace(body))
            return (OutcomeKind.Violation, $"{status} with a stack trace: {ErrorBody.Clip(body)}");
        var message = ErrorBody.Message(body);
        if (message is null)
            return (OutcomeKind.Violation, $"{status} without an OpenAI error object: {(body.Length == 0 ? "(empty body)" : ErrorBody.Clip(body))}");
        if (status == 500)
            return (OutcomeKind.Violation, $"500 (an unhandled failure): {message}");
        return (request.Invalid is not null && status is >= 400 and < 500 ? OutcomeKind.Rejected : OutcomeKind.CleanError, $"{status} {message}");
    }

    /// <summary>A 200 with the whole answer.</summary>
    public static (OutcomeKind Kind, string? Detail) Completion(SoakRequest request, string body)
    {
        if (body.Length == 0)
            return (OutcomeKind.Violation, "an empty 200");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return (OutcomeKind.Violation, $"a 200 that is not JSON: {ErrorBody.Clip(body)}");
        }
        using (json)
            return Judge(request, json.RootElement, body);
    }

    static (OutcomeKind, string?) Judge(SoakRequest request, JsonElement root, string body)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return (OutcomeKind.Violation, $"a 200 that is not a JSON object: {ErrorBody.Clip(body)}");
        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            return (OutcomeKind.Violation, $"a 200 carrying an error: {ErrorBody.Clip(body)}");
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            return (OutcomeKind.Violation, $"a 200 without choices: {ErrorBody.Clip(body)}");
        if (choices.GetArrayLength() != request.N)
            return (OutcomeKind.Violation, $"{choices.GetArrayLength()} choices for n = {request.N}");
        var seen = new HashSet<int>();
        var reasons = new List<string>();
        foreach (var choice in choices.EnumerateArray())
        {
            var index = Int(choice, "index") ?? -1;
            if (index < 0 || index >= request.N || !seen.Add(index))
                return (OutcomeKind.Violation, $"choice index {index} for n = {request.N}");
            if (!choice.TryGetProperty("finish_reason", out var finish) || finish.ValueKind != JsonValueKind.String)
                return (OutcomeKind.Violation, $"choice {index} without a finish_reason");
            if (Text(choice) is null && !HasToolCalls(choice))
                return (OutcomeKind.Violation, $"choice {index} without text");
            reasons.Add(finish.GetString()!);
        }
        var tokens = root.TryGetProperty("usage", out var usage) ? Int(usage, "completion_tokens") : null;
        if (tokens is null)
            return (OutcomeKind.Violation, "a 200 without usage.completion_tokens");
        if (tokens == 0 && reasons.Any(r => r != "stop"))
            return (OutcomeKind.Violation, $"an empty completion that finished with '{string.Join(",", reasons)}'");
        return (OutcomeKind.Completed, null);
    }

    /// <summary>An integer member of <paramref name="o"/>; null when absent, not an object, or not an int (a server's 1.5 must not crash the judge).</summary>
    public static int? Int(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;

    /// <summary>A choice's text: <c>text</c> (completions), <c>message.content</c> or <c>delta.content</c> (chat); null when it has none.</summary>
    public static string? Text(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object)
            return null;
        if (choice.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            return text.GetString();
        foreach (var name in (ReadOnlySpan<string>)["message", "delta"])
            if (choice.TryGetProperty(name, out var message) && message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                return content.GetString();
        return null;
    }

    static bool HasToolCalls(JsonElement choice) =>
        choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object
        && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array;
}
