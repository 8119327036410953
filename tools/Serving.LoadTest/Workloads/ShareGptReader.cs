using System.Text.Json;

namespace Serving.LoadTest.Workloads;

/// <summary>
/// Reads a ShareGPT-format file: a JSON array of objects whose <c>conversations</c> list turns
/// <c>{"from": "human"|"gpt", "value": text}</c>. Each conversation gives one pair: its first turn as the prompt and
/// the second as the reference answer (whose length sets the output tokens); or, for the multi-turn workload, its
/// human turns.
/// </summary>
internal static class ShareGptReader
{
    public static List<(string Prompt, string Answer)> Read(string path)
    {
        var pairs = new List<(string, string)>();
        foreach (var turns in Conversations(path))
        {
            if (turns.Count >= 2 && !string.IsNullOrWhiteSpace(turns[0].Value) && !string.IsNullOrWhiteSpace(turns[1].Value))
                pairs.Add((turns[0].Value!, turns[1].Value!));
        }
        return pairs;
    }

    /// <summary>The human turns (<c>from</c> "human" or "user") of every conversation that has at least two, in order.</summary>
    public static List<string[]> HumanTurns(string path) =>
        [.. Conversations(path)
            .Select(turns => turns.Where(t => t.From is "human" or "user" && !string.IsNullOrWhiteSpace(t.Value)).Select(t => t.Value!).ToArray())
            .Where(human => human.Length >= 2)];

    /// <summary>Each conversation's turns as (from, value); either is null when missing or not a string.</summary>
    static List<List<(string? From, string? Value)>> Conversations(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        if (json.RootElement.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{path}: expected a JSON array of conversations");
        var conversations = new List<List<(string?, string?)>>();
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("conversations", out var turns) || turns.ValueKind != JsonValueKind.Array)
                continue;
            conversations.Add([.. turns.EnumerateArray().Select(t => (Field(t, "from"), Field(t, "value")))]);
        }
        return conversations;
    }

    static string? Field(JsonElement turn, string name) =>
        turn.ValueKind == JsonValueKind.Object && turn.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
