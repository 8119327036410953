using System.Diagnostics;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>An open SSE response, read event by event; checks the framing (<c>data: </c> lines, blank line after each).</summary>
internal sealed class SseStream : IDisposable
{
    readonly HttpRequestMessage _request;
    readonly HttpResponseMessage _response;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    StreamReader? _reader;

    SseStream(HttpRequestMessage request, HttpResponseMessage response)
    {
        _request = request;
        _response = response;
    }

    public int Status => (int)_response.StatusCode;

    public static async Task<SseStream> StartAsync(HttpRequestMessage request, HttpResponseMessage response)
    {
        var stream = new SseStream(request, response);
        if (response.IsSuccessStatusCode)
        {
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            stream._reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        }
        return stream;
    }

    public Task<string> ErrorBodyAsync() => _response.Content.ReadAsStringAsync();

    /// <summary>The next event, or null at the end of the stream.</summary>
    public async Task<SseEvent?> ReadAsync()
    {
        while (await _reader!.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
                continue;
            Assert.StartsWith("data: ", line);
            var e = new SseEvent(line["data: ".Length..], _clock.Elapsed);
            Assert.Equal("", await _reader.ReadLineAsync()); // each event ends with a blank line
            return e;
        }
        return null;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _response.Dispose();
        _request.Dispose();
    }
}
