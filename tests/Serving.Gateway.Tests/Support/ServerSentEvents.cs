using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serving.Gateway.Tests.Support;

/// <summary>Reads an SSE response event by event, noting when each arrived.</summary>
internal static class ServerSentEvents
{
    public sealed record Event(string Data, TimeSpan At)
    {
        public JsonElement Json => JsonDocument.Parse(Data).RootElement;
    }

    public static async Task<(int Status, List<Event> Events)> PostAsync(HttpClient http, string path, object body, int? stopAfter = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<Event>();
        if (!response.IsSuccessStatusCode)
            return ((int)response.StatusCode, [new Event(await response.Content.ReadAsStringAsync(), TimeSpan.Zero)]);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var clock = Stopwatch.StartNew();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
                continue;
            Assert.StartsWith("data: ", line);
            events.Add(new Event(line["data: ".Length..], clock.Elapsed));
            Assert.Equal("", await reader.ReadLineAsync()); // each event ends with a blank line
            if (events.Count == stopAfter)
                break; // leaving: disposing the response closes the connection mid-stream
        }
        return ((int)response.StatusCode, events);
    }
}
