using System.Diagnostics;
using System.Text.Json;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Client;

/// <summary>
/// What one response stream has delivered so far; <see cref="Apply"/> takes each event in turn. With
/// <paramref name="keepText"/> it also keeps the answer's text (a conversation sends it back in its next turn).
/// </summary>
internal sealed class StreamState(long sentTimestamp, bool keepText = false)
{
    readonly List<double> itls = [];
    readonly System.Text.StringBuilder? text = keepText ? new() : null;
    long firstToken;
    long lastToken;

    public int TextChunks { get; private set; }
    public int? UsagePrompt { get; private set; }
    public int? UsageCompletion { get; private set; }
    /// <summary>usage.prompt_tokens_details.cached_tokens: prompt tokens the server took from its prefix cache; null when it sent none.</summary>
    public int? UsageCached { get; private set; }
    public bool Done { get; private set; }
    public FailureKind? Failure { get; private set; }
    public string? Error { get; private set; }
    public long ParseTicks { get; private set; }

    public double TtftMs => TextChunks > 0 ? Ms(sentTimestamp, firstToken) : 0;
    public double E2elMs => TextChunks > 0 ? Ms(sentTimestamp, lastToken) : 0;
    public double[] ItlsMs => [.. itls];
    /// <summary>The answer's text so far (first choice); null unless kept.</summary>
    public string? Text => text?.ToString();

    /// <summary>Takes one event; false when the stream is over (done or failed).</summary>
    public bool Apply(SseEvent e)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return Interpret(e);
        }
        finally
        {
            ParseTicks += Stopwatch.GetTimestamp() - start;
        }
    }

    bool Interpret(SseEvent e)
    {
        if (e.Data == "[DONE]")
        {
            Done = true;
            return false;
        }
        if (e.Type == "error")
            return Fail(FailureKind.StreamError, e.Data);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(e.Data);
        }
        catch (JsonException)
        {
            return Fail(FailureKind.MalformedStream, $"not JSON: {Clip(e.Data)}");
        }
        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail(FailureKind.MalformedStream, $"not a JSON object: {Clip(e.Data)}");
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
                return Fail(FailureKind.StreamError, ErrorMessage(error));
            var hasChoices = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array;
            var hasUsage = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object;
            if (!hasChoices && !hasUsage)
                return Fail(FailureKind.MalformedStream, $"neither choices nor usage: {Clip(e.Data)}");
            if (hasChoices && choices.GetArrayLength() > 0 && ChoiceText(choices[0]) is { Length: > 0 } chunk)
            {
                OnText(e.Timestamp);
                text?.Append(chunk);
            }
            if (hasUsage)
            {
                UsagePrompt = Int(usage, "prompt_tokens") ?? UsagePrompt;
                UsageCompletion = Int(usage, "completion_tokens") ?? UsageCompletion;
                if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object)
                    UsageCached = Int(details, "cached_tokens") ?? UsageCached;
            }
            return true;
        }
    }

    void OnText(long timestamp)
    {
        if (TextChunks == 0)
            firstToken = timestamp;
        else
            itls.Add(Ms(lastToken, timestamp));
        lastToken = timestamp;
        TextChunks++;
    }

    bool Fail(FailureKind kind, string message)
    {
        Failure = kind;
        Error = message;
        return false;
    }

    /// <summary>Completions carry <c>text</c>; chat carries <c>delta.content</c> (or a reasoning model's <c>delta.reasoning_content</c>).</summary>
    static string? ChoiceText(JsonElement choice)
    {
        if (choice.ValueKind != JsonValueKind.Object)
            return null;
        if (choice.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            return text.GetString();
        if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
            return null;
        foreach (var name in (ReadOnlySpan<string>)["content", "reasoning_content", "reasoning"])
            if (delta.TryGetProperty(name, out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } s)
                return s;
        return null;
    }

    public static string ErrorMessage(JsonElement error) =>
        error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!
            : Clip(error.GetRawText());

    static int? Int(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    public static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";

    static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
