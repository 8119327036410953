using System.Text.Json;

namespace Serving.Model.Tokenization;

/// <summary>The parts of a Hugging Face tokenizer.json that a byte-level BPE tokenizer needs.</summary>
internal sealed record HfTokenizerJson(
    Dictionary<string, int> Vocab,
    List<string> Merges,
    List<AddedToken> AddedTokens,
    string SplitPattern,
    string? TemplateBosToken)
{
    /// <summary>Parses the file, or returns null with a reason when it is not a byte-level BPE tokenizer.</summary>
    public static HfTokenizerJson? TryLoad(string path, out string reason)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        reason = "";
        if (!root.TryGetProperty("model", out var model) || Str(model, "type") is not ("BPE" or null)
            || !model.TryGetProperty("vocab", out var vocabElement))
        {
            reason = "model is not BPE";
            return null;
        }
        var preTokenizer = root.TryGetProperty("pre_tokenizer", out var p) ? p : default;
        if (!ContainsType(preTokenizer, "ByteLevel"))
        {
            reason = "pre_tokenizer is not byte-level";
            return null;
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();

        var merges = new List<string>();
        if (model.TryGetProperty("merges", out var mergesElement))
        {
            foreach (var merge in mergesElement.EnumerateArray())
            {
                // Older files spell a merge "a b", newer ones ["a", "b"].
                merges.Add(merge.ValueKind == JsonValueKind.Array
                    ? merge[0].GetString() + " " + merge[1].GetString()
                    : merge.GetString()!);
            }
        }

        var added = new List<AddedToken>();
        if (root.TryGetProperty("added_tokens", out var addedElement) && addedElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in addedElement.EnumerateArray())
            {
                added.Add(new AddedToken(token.GetProperty("id").GetInt32(), token.GetProperty("content").GetString()!,
                    token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True));
            }
        }

        string pattern = FindSplitRegex(preTokenizer) ?? PreTokenizerPatterns.Gpt2;
        string? bos = root.TryGetProperty("post_processor", out var post) ? FindTemplateBos(post) : null;
        return new HfTokenizerJson(vocab, merges, added, pattern, bos);
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Flatten(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) yield break;
        yield return e;
        foreach (var listName in new[] { "pretokenizers", "processors" })
        {
            if (e.TryGetProperty(listName, out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var child in list.EnumerateArray())
                    foreach (var inner in Flatten(child)) yield return inner;
        }
    }

    private static bool ContainsType(JsonElement e, string type) => Flatten(e).Any(x => Str(x, "type") == type);

    private static string? FindSplitRegex(JsonElement preTokenizer)
    {
        foreach (var step in Flatten(preTokenizer))
        {
            if (Str(step, "type") == "Split" && step.TryGetProperty("pattern", out var pattern) && Str(pattern, "Regex") is { } regex)
                return regex;
        }
        return null;
    }

    // Llama-3 style: no add_bos_token in the config; the TemplateProcessing post-processor prepends BOS instead.
    private static string? FindTemplateBos(JsonElement postProcessor)
    {
        foreach (var step in Flatten(postProcessor))
        {
            if (Str(step, "type") != "TemplateProcessing" || !step.TryGetProperty("single", out var single)
                || single.ValueKind != JsonValueKind.Array || single.GetArrayLength() == 0)
                continue;
            if (single[0].TryGetProperty("SpecialToken", out var special)) return Str(special, "id");
        }
        return null;
    }
}
