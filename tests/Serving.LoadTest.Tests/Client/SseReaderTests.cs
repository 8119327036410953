using System.Text;
using Serving.LoadTest.Client;

namespace Serving.LoadTest.Tests.Client;

public sealed class SseReaderTests
{
    static async Task<List<SseEvent>> Read(string text)
    {
        var events = new List<SseEvent>();
        await foreach (var e in SseReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None))
            events.Add(e);
        return events;
    }

    [Fact]
    public async Task ReadAsync_SpecCases_SplitsEventsAsTheSpecSays()
    {
        var events = await Read(": ping\n\ndata: {\"a\":1}\n\ndata:{\"b\":2}\r\n\r\nevent: error\ndata: line1\ndata: line2\n\ndata: [DONE]");
        Assert.Equal(["{\"a\":1}", "{\"b\":2}", "line1\nline2", "[DONE]"], events.Select(e => e.Data));
        Assert.Equal([null, null, "error", null], events.Select(e => e.Type));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.Second.Timestamp >= p.First.Timestamp));
    }

    [Fact]
    public async Task ReadAsync_BlankLinesOnly_NoEvents() => Assert.Empty(await Read("\n\n\n"));
}
