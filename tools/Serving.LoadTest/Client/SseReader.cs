using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Serving.LoadTest.Client;

/// <summary>
/// Splits a text/event-stream into events as the SSE specification says: <c>data:</c> lines (one optional space
/// after the colon) joined by newlines, <c>event:</c> naming the type, comments (<c>:</c>) skipped, a blank line
/// ending the event. Each event is stamped from the monotonic clock when its last line arrived.
/// </summary>
internal static class SseReader
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false);
        var data = new StringBuilder();
        string? type = null;
        var hasData = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                    yield return new SseEvent(type, data.ToString(), Stopwatch.GetTimestamp());
                data.Clear();
                type = null;
                hasData = false;
                continue;
            }
            if (line[0] == ':')
                continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
                value = value[1..];
            if (field == "data")
            {
                if (hasData)
                    data.Append('\n');
                data.Append(value);
                hasData = true;
            }
            else if (field == "event")
                type = value;
        }
        // A last event without its blank line still counts: some servers close right after [DONE].
        if (hasData)
            yield return new SseEvent(type, data.ToString(), Stopwatch.GetTimestamp());
    }
}
