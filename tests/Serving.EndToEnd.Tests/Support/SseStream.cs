using System.Diagnostics;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>An open SSE response, read event by event; checks the framing (<c>data: </c> lines, blank line after each).</summary>
internal sealed class SseStream : IDisposable
{
    readonly HttpRequestMessage request;
    readonly HttpResponseMessage response;
    readonly Stopwatch clock = Stopwatch.StartNew();
    StreamReader? reader;

    SseStream(HttpRequestMessage request, HttpResponseMessage response)
    {
        this.request = request;
        this.response = response;
    }

    public int Status => (int)response.StatusCode;

    public static async Task<SseStream> StartAsync(HttpRequestMessage request, HttpResponseMessage response)
    {
        var stream = new SseStream(request, response);
        if (response.IsSuccessStatusCode)
        {
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            stream.reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        }
        return stream;
    }

    public Task<string> ErrorBodyAsync() => response.Content.ReadAsStringAsync();

    /// <summary>The next event, or null at the end of the stream.</summary>
    public async Task<SseEvent?> ReadAsync()
    {
        while (await reader!.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
                continue;
            Assert.StartsWith("data: ", line);
            var e = new SseEvent(line["data: ".Length..], clock.Elapsed);
            Assert.Equal("", await reader.ReadLineAsync()); // each event ends with a blank line
            return e;
        }
        return null;
    }

    public void Dispose()
    {
        reader?.Dispose();
        response.Dispose();
        request.Dispose();
    }
}
