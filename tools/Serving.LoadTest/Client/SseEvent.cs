namespace Serving.LoadTest.Client;

/// <summary>One server-sent event: its type (null for the default "message") and data, and when it was complete.</summary>
internal readonly record struct SseEvent(string? Type, string Data, long Timestamp);
