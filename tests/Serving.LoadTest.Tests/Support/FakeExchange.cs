using System.Text.Json;

namespace Serving.LoadTest.Tests.Support;

/// <summary>One request the fake server answered: its JSON body and the answer's text as streamed.</summary>
public sealed record FakeExchange(JsonElement Body, string Answer)
{
    /// <summary>The chat messages sent, as (role, content).</summary>
    public (string Role, string Content)[] Messages =>
        [.. Body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))];

    public string Prompt => Body.GetProperty("prompt").GetString()!;
}
