using System.Text.Json;
using Serving.LoadTest.Client;

namespace Serving.LoadTest.Soak.Client;

/// <summary>
/// Follows one response stream event by event and judges it at the end: every choice of <c>n</c> must get exactly
/// one finish_reason and no content after it, nothing may follow [DONE], and the stream ends with [DONE] or with an
/// error event — never broken off, never empty.
/// </summary>
internal sealed class StreamCheck(int n, bool wantUsage)
{
    readonly string?[] finishReasons = new string?[n];
    bool usageSeen;
    int? completionTokens;

    public int ContentChunks { get; private set; }
    public bool Done { get; private set; }
    public string? Error { get; private set; }
    public string? Violation { get; private set; }

    /// <summary>Whether the stream is still producing (the client may still walk away from it).</summary>
    public bool Open => !Done && Error is null && Violation is null;

    public void Apply(SseEvent e)
    {
        if (Violation is not null)
            return;
        if (Done)
        {
            Violation = $"an event after [DONE]: {ErrorBody.Clip(e.Data)}";
            return;
        }
        if (e.Data == "[DONE]")
        {
            Done = true;
            return;
        }
        if (e.Type == "error")
        {
            OnError(e.Data, ErrorBody.Message(e.Data) ?? e.Data);
            return;
        }
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(e.Data);
        }
        catch (JsonException)
        {
            Violation = $"an event that is not JSON: {ErrorBody.Clip(e.Data)}";
            return;
        }
        using (json)
            Interpret(json.RootElement, e.Data);
    }

    void Interpret(JsonElement root, string data)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Violation = $"an event that is not a JSON object: {ErrorBody.Clip(data)}";
            return;
        }
        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            OnError(data, ErrorBody.Message(root) ?? ErrorBody.Clip(error.GetRawText()));
            return;
        }
        var hasChoices = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array;
        var hasUsage = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object;
        if (!hasChoices && !hasUsage)
        {
            Violation = $"an event with neither choices nor usage: {ErrorBody.Clip(data)}";
            return;
        }
        if (hasUsage)
        {
            usageSeen = true;
            completionTokens = ResponseCheck.Int(usage, "completion_tokens") ?? completionTokens;
        }
        if (hasChoices)
            foreach (var choice in choices.EnumerateArray())
                if (!OnChoice(choice))
                    return;
    }

    bool OnChoice(JsonElement choice)
    {
        var index = ResponseCheck.Int(choice, "index") ?? -1;
        if (index < 0 || index >= finishReasons.Length)
        {
            Violation = $"a chunk for choice {index} of n = {finishReasons.Length}";
            return false;
        }
        var hasContent = ResponseCheck.Text(choice) is { Length: > 0 };
        if (hasContent && (finishReasons[index] is not null || Error is not null))
        {
            Violation = finishReasons[index] is not null
                ? $"tokens after finish_reason '{finishReasons[index]}' on choice {index}"
                : $"tokens after the error event on choice {index}";
            return false;
        }
        if (hasContent)
            ContentChunks++;
        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
        {
            if (finishReasons[index] is not null)
            {
                Violation = $"a second finish_reason on choice {index}";
                return false;
            }
            finishReasons[index] = finish.GetString();
        }
        return true;
    }

    void OnError(string data, string message)
    {
        if (ErrorBody.HasStackTrace(data))
            Violation = $"a stack trace in the error event: {ErrorBody.Clip(data)}";
        else
            Error ??= message;
    }

    /// <summary>The verdict once the stream has ended (the server closed it).</summary>
    public (OutcomeKind Kind, string? Detail) End()
    {
        if (Violation is not null)
            return (OutcomeKind.Violation, Violation);
        if (Error is not null)
            return (OutcomeKind.CleanError, $"stream error: {Error}");
        if (!Done)
            return (OutcomeKind.Violation, "the stream ended without [DONE] or an error event");
        var open = Enumerable.Range(0, finishReasons.Length).Where(c => finishReasons[c] is null).ToArray();
        if (open.Length > 0)
            return (OutcomeKind.Violation, $"[DONE] before choice(s) {string.Join(", ", open)} got a finish_reason");
        if (wantUsage && !usageSeen)
            return (OutcomeKind.Violation, "no usage chunk although stream_options.include_usage was set");
        // Stopping at the first token (EOS or a stop string) may leave nothing; running out of length may not.
        var produced = completionTokens is { } t ? t > 0 : ContentChunks > 0;
        if (!produced && finishReasons.Any(r => r != "stop"))
            return (OutcomeKind.Violation, $"an empty completion that finished with '{string.Join(",", finishReasons)}'");
        return (OutcomeKind.Completed, null);
    }
}
