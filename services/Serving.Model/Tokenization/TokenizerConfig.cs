using System.Text.Json;

namespace Serving.Model.Tokenization;

/// <summary>BOS/EOS settings gathered from tokenizer_config.json, generation_config.json and config.json.</summary>
internal sealed record TokenizerConfig(
    string? BosToken,
    string? EosToken,
    bool? AddBosToken,
    int? GenerationBosId,
    IReadOnlyList<int> GenerationEosIds,
    int? ModelBosId,
    IReadOnlyList<int> ModelEosIds)
{
    public static TokenizerConfig Load(string folder)
    {
        using var tokenizer = Parse(Path.Combine(folder, "tokenizer_config.json"));
        using var generation = Parse(Path.Combine(folder, "generation_config.json"));
        using var model = Parse(Path.Combine(folder, "config.json"));
        var t = tokenizer?.RootElement;
        var g = generation?.RootElement;
        var m = model?.RootElement;
        return new TokenizerConfig(
            TokenContent(t, "bos_token"),
            TokenContent(t, "eos_token"),
            t is { } tc && tc.TryGetProperty("add_bos_token", out var add) && add.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? add.GetBoolean() : null,
            Ids(g, "bos_token_id").Cast<int?>().FirstOrDefault(),
            Ids(g, "eos_token_id"),
            Ids(m, "bos_token_id").Cast<int?>().FirstOrDefault(),
            Ids(m, "eos_token_id"));
    }

    private static JsonDocument? Parse(string path) => File.Exists(path) ? JsonDocument.Parse(File.ReadAllBytes(path)) : null;

    // "bos_token": "<s>" or {"content": "<s>", ...}
    private static string? TokenContent(JsonElement? root, string name)
    {
        if (root is not { ValueKind: JsonValueKind.Object } r || !r.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.String) return v.GetString();
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String)
            return c.GetString();
        return null;
    }

    // "eos_token_id": 2 or [128001, 128009]
    private static IReadOnlyList<int> Ids(JsonElement? root, string name)
    {
        if (root is not { ValueKind: JsonValueKind.Object } r || !r.TryGetProperty(name, out var v)) return [];
        if (v.ValueKind == JsonValueKind.Number) return [v.GetInt32()];
        if (v.ValueKind == JsonValueKind.Array)
            return v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()).ToList();
        return [];
    }
}
