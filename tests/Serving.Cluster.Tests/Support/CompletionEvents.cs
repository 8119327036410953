using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Serving.Cluster.Tests.Support;

/// <summary>A streamed completion's server-sent events as the gateway writes them: "data: " lines, each a JSON object, then [DONE].</summary>
internal sealed class CompletionEvents(StreamReader reader)
{
    /// <summary>Whether the stream ended with [DONE] rather than just stopping.</summary>
    public bool Done { get; private set; }

    /// <summary>Each event's JSON in turn, read as it arrives, until [DONE] or the end of the stream.</summary>
    public async IAsyncEnumerable<JsonElement> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
                continue;
            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                Done = true;
                yield break;
            }
            yield return JsonDocument.Parse(data).RootElement;
        }
    }
}
