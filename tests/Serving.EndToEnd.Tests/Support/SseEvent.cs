using System.Text.Json;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>One server-sent event's data and when it arrived after the response started.</summary>
internal sealed record SseEvent(string Data, TimeSpan At)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}
