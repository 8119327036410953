using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Serving.GatewayBench.Client;

/// <summary>One streaming request to /v1/completions, read line by line, every token event timestamped on arrival.</summary>
internal static class StreamClient
{
    const string TextField = "\"text\":\"";

    public static byte[] Body(int maxTokens) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["model"] = "tiny-llama-v1",
        ["prompt"] = "The quick brown fox jumps over the lazy dog",
        ["max_tokens"] = maxTokens,
        ["ignore_eos"] = true,
        ["stream"] = true,
        ["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true },
    });

    public static async Task<StreamResult> RunAsync(HttpClient http, byte[] body, int maxTokens, CancellationToken cancellationToken)
    {
        var result = new StreamResult();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                result.Error = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                return result;
            }
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
            string? finish = null;
            var usage = -1;
            var done = false;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                var now = Clock.Now();
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                    continue;
                if (line == "data: [DONE]")
                {
                    done = true;
                    break;
                }
                if (line.StartsWith("data: {\"error\"", StringComparison.Ordinal))
                {
                    result.Error = line;
                    return result;
                }
                var at = line.IndexOf(TextField, StringComparison.Ordinal);
                if (at < 0)
                {
                    // The usage chunk (no choices).
                    usage = JsonDocument.Parse(line.AsMemory(6)).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
                    continue;
                }
                var start = at + TextField.Length + 1;
                var end = line.IndexOf('"', start);
                result.Received.Add(now);
                result.Emitted.Add(long.Parse(line.AsSpan(start, end - start), CultureInfo.InvariantCulture));
                if (line.Contains("\"finish_reason\":\"", StringComparison.Ordinal))
                    finish = JsonDocument.Parse(line.AsMemory(6)).RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString();
            }
            if (!done || result.Received.Count != maxTokens || finish != "length" || usage != maxTokens)
                result.Error = $"incomplete stream: [DONE] {done}, {result.Received.Count} token events, finish_reason {finish ?? "none"}, completion_tokens {usage} (expected {maxTokens}, length)";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or FormatException or JsonException)
        {
            result.Error = $"{e.GetType().Name}: {e.Message}";
        }
        return result;
    }
}
