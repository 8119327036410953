using System.Net.Http.Json;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>Reads an SSE response event by event, noting when each arrived.</summary>
internal static class ServerSentEvents
{

    /// <summary>Posts and reads the whole stream (or, for an error, the error body as the one event).</summary>
    public static async Task<(int Status, List<SseEvent> Events)> PostAsync(HttpClient http, string path, object body)
    {
        using var stream = await OpenAsync(http, path, body);
        if (stream.Status != 200)
            return (stream.Status, [new SseEvent(await stream.ErrorBodyAsync(), TimeSpan.Zero)]);
        var events = new List<SseEvent>();
        while (await stream.ReadAsync() is { } e)
            events.Add(e);
        return (stream.Status, events);
    }

    /// <summary>Posts and returns the open stream; disposing it closes the connection, as a client that leaves does.</summary>
    public static async Task<SseStream> OpenAsync(HttpClient http, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return await SseStream.StartAsync(request, response);
    }
}
