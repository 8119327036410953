using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.ChatTemplates.Evaluation;

// Copies caller values (CLR JSON-like values or System.Text.Json trees) into the engine's value types.
internal static class ValueConverter
{
    // Deeper than any real conversation; stops a self-containing list from overflowing the stack.
    private const int MaxDepth = 64;

    public static object? Convert(object? value, int depth = 0)
    {
        if (depth > MaxDepth)
            throw new ChatTemplateException($"chat template variables are nested deeper than {MaxDepth} levels");
        return value switch
        {
            null or bool or string or long or double => value,
            int or short or byte or sbyte or uint or ushort => System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
            ulong n when n <= long.MaxValue => (long)n,
            float or decimal or ulong => System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture),
            char c => c.ToString(),
            JsonElement element => ConvertJson(element, depth),
            JsonNode node => ConvertJsonNode(node, depth),
            IReadOnlyDictionary<string, object?> dict => ToDict(dict, depth),
            IDictionary<string, object?> dict => ToDict(dict, depth),
            IDictionary dict => ToDict(Entries(dict), depth),
            IEnumerable items => items.Cast<object?>().Select(item => Convert(item, depth + 1)).ToList(),
            _ => throw new ChatTemplateException($"a value of type {value.GetType().Name} cannot be passed to a chat template"),
        };
    }

    private static object? ConvertJson(JsonElement element, int depth) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var n) ? (object)n : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(item => Convert(item, depth + 1)).ToList(),
        _ => ToDict(element.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value)), depth),
    };

    // JsonValue wraps arbitrary CLR values, so go through the JSON text rather than guess at them.
    private static object? ConvertJsonNode(JsonNode node, int depth)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        return ConvertJson(document.RootElement, depth);
    }

    private static OrderedDictionary<string, object?> ToDict(IEnumerable<KeyValuePair<string, object?>> entries, int depth)
    {
        var dict = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
            dict[key] = Convert(value, depth + 1);
        return dict;
    }

    // IDictionary's own enumerator yields DictionaryEntry; a plain foreach over a generic dictionary would not.
    private static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary dict)
    {
        var entries = dict.GetEnumerator();
        while (entries.MoveNext())
            yield return KeyValuePair.Create(KeyOf(entries.Key), entries.Value);
    }

    private static string KeyOf(object key) =>
        key as string ?? throw new ChatTemplateException($"dictionary keys passed to a chat template must be strings, not {key.GetType().Name}");
}
