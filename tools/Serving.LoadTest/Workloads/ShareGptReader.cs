using System.Text.Json;

namespace Serving.LoadTest.Workloads;

/// <summary>
/// Reads a ShareGPT-format file: a JSON array of objects whose <c>conversations</c> list turns
/// <c>{"from": "human"|"gpt", "value": text}</c>. Each conversation gives one pair: its first turn as the prompt and
/// the second as the reference answer (whose length sets the output tokens).
/// </summary>
internal static class ShareGptReader
{
    public static List<(string Prompt, string Answer)> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        if (json.RootElement.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{path}: expected a JSON array of conversations");
        var pairs = new List<(string, string)>();
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("conversations", out var turns) || turns.ValueKind != JsonValueKind.Array)
                continue;
            var values = turns.EnumerateArray().Take(2)
                .Select(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                .ToArray();
            if (values.Length == 2 && !string.IsNullOrWhiteSpace(values[0]) && !string.IsNullOrWhiteSpace(values[1]))
                pairs.Add((values[0]!, values[1]!));
        }
        return pairs;
    }
}
