using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.LoadTest.Workloads;

/// <summary>The target server's own tokenizer through vLLM's /tokenize and /detokenize endpoints (Serving and vLLM have them; SGLang and OpenAI do not).</summary>
internal sealed class TargetTokenizer(HttpClient http, Uri baseUrl, string model)
{
    /// <summary>The tokenizer when the server answers /tokenize, else null.</summary>
    public static async Task<TargetTokenizer?> TryCreateAsync(HttpClient http, Uri baseUrl, string model, CancellationToken cancellationToken)
    {
        var tokenizer = new TargetTokenizer(http, baseUrl, model);
        try
        {
            var ids = await tokenizer.EncodeAsync("hello world", cancellationToken);
            return ids.Length > 0 ? tokenizer : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    public async Task<int[]> EncodeAsync(string text, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = model, ["prompt"] = text, ["add_special_tokens"] = false };
        using var response = await http.PostAsJsonAsync(new Uri(baseUrl, "tokenize"), body, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray();
    }

    public async Task<string> DecodeAsync(IReadOnlyList<int> tokens, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = model, ["tokens"] = new JsonArray(tokens.Select(t => (JsonNode)t).ToArray()) };
        using var response = await http.PostAsJsonAsync(new Uri(baseUrl, "detokenize"), body, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        return json.RootElement.GetProperty("prompt").GetString() ?? "";
    }
}
