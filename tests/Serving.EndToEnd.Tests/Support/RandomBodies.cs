using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>
/// Request bodies for the API fuzz tests, as JSON text: random JSON of random shapes, and valid chat, completion
/// and tokenize bodies with fields replaced, removed or added (wrong types, huge and negative numbers, nulls,
/// odd Unicode, deep nesting), some then truncated or with a byte broken. Written by hand, not by a serializer,
/// so that what no serializer writes (a lone surrogate's escape, a duplicate key, 1e400) is sent too.
/// </summary>
internal static class RandomBodies
{
    /// <summary>Every field the three endpoints read, and a few they do not.</summary>
    static readonly string[] Fields =
    [
        "model", "messages", "prompt", "max_tokens", "max_completion_tokens", "n", "stream", "stream_options", "temperature",
        "top_p", "top_k", "min_p", "seed", "stop", "stop_token_ids", "presence_penalty", "frequency_penalty",
        "repetition_penalty", "min_tokens", "ignore_eos", "logprobs", "top_logprobs", "echo", "user", "tools", "tool_choice",
        "chat_template_kwargs", "add_generation_prompt", "add_special_tokens", "response_format", "logit_bias", "best_of",
        "suffix", "tokens", "frobnicate", "",
    ];

    static readonly string[] MessageFields = ["role", "content", "name", "tool_calls", "tool_call_id", "function_call"];

    static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function", "wizard", "", "USER"];

    static readonly string[] Texts =
    [
        "", " ", "Hi", "déjà vu", "🦙 llama", "\u0000", "\u0001\u001f", "\u202eevil", "e\u0301", "\ufeff", "\uffff", "<|im_start|>",
        "<|im_end|>", "</s>", "<s>", "{{ 7 * 7 }}", "{% raise 'x' %}", "{% for x in range(1000000000) %}", "\\", "\"", "null",
        "tiny-llama-v1", "text", "function", "image_url", "\r\n\t", new string('x', 300), string.Concat(Enumerable.Repeat("🦙", 64)),
    ];

    static readonly string[] Numbers =
    [
        "0", "-0", "1", "2", "-1", "3", "16", "20", "21", "128", "129", "4096", "5000", "2147483647", "2147483648", "-2147483648",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "0.5", "2.5",
        "-0.0", "1e400", "-1e400", "1e-400", "1E2", "3.4028235e38", "0.1e1", "100000000000000000000000000000000000000000",
    ];

    static readonly string[] BrokenEscapes = ["\"\\ud800\"", "\"x\\udfff\"", "\"\\udc00\\ud800\"", "\"\\ud83e\\udd99\"", "\"\\u0000\""];

    static Gen<string> Number { get; } = Gen.Frequency(
        (3, Gen.OneOf(Numbers)),
        (2, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e999")));

    static Gen<string> Text { get; } = Gen.Frequency(
        (4, Gen.OneOf(Texts)),
        (2, Gen.Char.Array[0, 12].Select(cs => new string(cs))),
        (1, Gen.String[0, 40]));

    static Gen<string> JsonText { get; } = Gen.Frequency(
        (8, Text.Select(Quote)),
        (1, Gen.OneOf(BrokenEscapes)));

    static Gen<string> Scalar { get; } = Gen.Frequency(
        (1, Gen.OneOf("null", "true", "false")),
        (2, Number),
        (2, JsonText));

    /// <summary>Random JSON nested a few levels deep at most; <see cref="Deep"/> goes further.</summary>
    static Gen<string> Value { get; } = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, value.Array[0, 4].Select(items => $"[{string.Join(",", items)}]")),
            (1, Gen.Select(Gen.OneOf(Fields), value).Array[0, 4].Select(Object))));

    /// <summary>Arrays or objects nested past the body's depth limit (64), or just under it.</summary>
    static Gen<string> Deep { get; } = Gen.Select(Gen.Int[1, 200], Gen.Bool, (depth, array) => array
        ? new string('[', depth) + "1" + new string(']', depth)
        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));

    /// <summary>Any value for a field: random JSON mostly, sometimes nested past the limit.</summary>
    static Gen<string> AnyValue { get; } = Gen.Frequency((12, Value), (1, Deep));

    static Gen<string> Bool { get; } = Gen.Bool.Select(b => b ? "true" : "false");

    static Gen<string> SmallInt(int min, int max) => Gen.Int[min, max].Select(i => i.ToString(CultureInfo.InvariantCulture));

    static Gen<string> Array(Gen<string> item, int min, int max) => item.Array[min, max].Select(items => $"[{string.Join(",", items)}]");

    static Gen<string> TextPart { get; } = Gen.Frequency(
        (4, JsonText.Select(t => Object([("type", "\"text\""), ("text", t)]))),
        (1, Gen.Select(Gen.OneOf("text", "image_url", "input_audio", ""), AnyValue, (type, v) => Object([("type", Quote(type)), ("text", v)]))));

    static Gen<string> ToolCall { get; } = Gen.Select(Gen.OneOf("f", "get_weather", ""), Gen.OneOf("{\"x\": 1}", "{}", "not json", "[1]"),
        (name, arguments) => Object([("id", "\"call_1\""), ("type", "\"function\""), ("function", Object([("name", Quote(name)), ("arguments", Quote(arguments))]))]));

    static Gen<string> Tool { get; } = Gen.OneOf("f", "get_weather", "").Select(name =>
        Object([("type", "\"function\""), ("function", Object([("name", Quote(name)), ("description", "\"d\""), ("parameters", "{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}")]))]));

    /// <summary>A chat message: mostly well formed (text, text parts, tool calls, tool results), sometimes not.</summary>
    static Gen<string> Message { get; } = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf(Roles), JsonText, (role, content) => Object([("role", Quote(role)), ("content", content)]))),
        (1, Gen.Select(Gen.OneOf(Roles), Array(TextPart, 0, 3), (role, parts) => Object([("role", Quote(role)), ("content", parts)]))),
        (1, Gen.Select(Array(ToolCall, 0, 2), Gen.OneOf("null", "\"\"", "\"calling\""), (calls, content) => Object([("role", "\"assistant\""), ("content", content), ("tool_calls", calls)]))),
        (1, JsonText.Select(content => Object([("role", "\"tool\""), ("tool_call_id", "\"call_1\""), ("name", "\"f\""), ("content", content)]))),
        (2, Gen.Select(Gen.OneOf(MessageFields), AnyValue).Array[0, 4].Select(Object)),
        (1, Value));

    static Gen<string> Prompt { get; } = Gen.Frequency(
        (3, JsonText),
        (1, Array(JsonText, 0, 3)),
        (1, Array(SmallInt(-1, 1100), 0, 6)),
        (1, Array(Array(SmallInt(0, 1000), 0, 4), 0, 3)));

    /// <summary>A value of the kind the field takes, often in range, sometimes just beyond.</summary>
    static Gen<string> Plausible(string field) => field switch
    {
        "messages" => Array(Message, 0, 4),
        "prompt" => Prompt,
        "tools" => Array(Tool, 0, 3),
        "stop" => Gen.Frequency((1, JsonText), (1, Array(JsonText, 0, 4))),
        "stop_token_ids" or "tokens" => Array(SmallInt(-1, 1100), 0, 5),
        "stream_options" => Bool.Select(b => Object([("include_usage", b)])),
        "chat_template_kwargs" => Gen.Select(Bool, AnyValue, (b, v) => Object([("enable_thinking", b), ("messages", v)])),
        "tool_choice" => Gen.OneOf("\"auto\"", "\"none\"", "\"required\"", "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
        "temperature" or "top_p" or "min_p" or "presence_penalty" or "frequency_penalty" or "repetition_penalty" =>
            Gen.Double[-0.5, 2.5].Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
        "n" or "logprobs" or "top_logprobs" or "top_k" or "min_tokens" or "best_of" or "max_tokens" or "max_completion_tokens" => Gen.Frequency((3, SmallInt(-1, 4)), (1, Bool)),
        "seed" => Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
        "model" => Gen.OneOf("\"tiny-llama-v1\"", "\"gpt-4o\"", "\"\""),
        "stream" or "echo" or "ignore_eos" or "add_generation_prompt" or "add_special_tokens" => Bool,
        _ => AnyValue,
    };

    /// <summary>A value for the field: one of its kind, or anything at all.</summary>
    static Gen<string> FieldValue(string field) => Gen.Frequency((1, Plausible(field)), (1, AnyValue));

    /// <summary>A field and a value for it.</summary>
    static Gen<(string Key, string Json)> Field { get; } = Gen.OneOf(Fields).SelectMany(key => FieldValue(key).Select(json => (key, json)));

    static readonly (string, string)[] Chat = [("messages", """[{"role":"user","content":"Hi"}]"""), ("max_tokens", "2")];
    static readonly (string, string)[] Completion = [("prompt", "\"Hi\""), ("max_tokens", "2")];
    static readonly (string, string)[] Tokenize = [("prompt", "\"Hi\"")];

    /// <summary>
    /// A body for <paramref name="path"/> as UTF-8: mostly a valid one changed in a few places, sometimes random
    /// JSON; now and then cut short or with one byte replaced (which may leave it invalid UTF-8).
    /// </summary>
    public static Gen<byte[]> For(string path)
    {
        var valid = path switch
        {
            "/v1/chat/completions" => Chat,
            "/v1/completions" => Completion,
            _ => Tokenize,
        };
        var mutated = Mutation.Array[1, 4].Select(mutations =>
        {
            var fields = valid.ToList();
            foreach (var mutate in mutations)
                mutate(fields);
            return Object(fields);
        });
        var text = Gen.Frequency(
            (6, mutated),
            (2, Field.Array[0, 6].Select(Object)),
            (1, AnyValue));
        var bytes = Gen.Frequency(
            (10, text.Select(Encoding.UTF8.GetBytes)),
            (1, Gen.Select(text, Gen.Double[0, 1], (t, at) => Encoding.UTF8.GetBytes(t[..(int)(t.Length * at)]))),
            (1, Gen.Select(text, Gen.Double[0, 1], Gen.Byte, (t, at, b) =>
            {
                var utf8 = Encoding.UTF8.GetBytes(t);
                if (utf8.Length > 0)
                    utf8[(int)(utf8.Length * at * 0.999)] = b;
                return utf8;
            })));
        return bytes.Select(Cheap);
    }

    /// <summary>One change to a body's fields: a field set to a random value, removed, or added (perhaps twice).</summary>
    static Gen<Action<List<(string Key, string Json)>>> Mutation { get; } = Gen.Frequency<Action<List<(string Key, string Json)>>>(
        (6, Field.Select(f => (Action<List<(string Key, string Json)>>)(fields => Set(fields, f.Key, f.Json)))),
        (1, Gen.Int[0, 8].Select(i => (Action<List<(string Key, string Json)>>)(fields =>
        {
            if (fields.Count > 0)
                fields.RemoveAt(i % fields.Count);
        }))),
        (1, Field.Select(f => (Action<List<(string Key, string Json)>>)(fields => fields.Add(f)))));

    static void Set(List<(string Key, string Json)> fields, string key, string json)
    {
        var at = fields.FindIndex(f => f.Key == key);
        if (at >= 0)
            fields[at] = (key, json);
        else
            fields.Add((key, json));
    }

    /// <summary>
    /// Keeps generation cheap: a body the server would accept asks for at most a few tokens of at most two choices.
    /// Without max_tokens a chat reply may take the rest of the context, so a body that parses as the server parses
    /// it gets max_tokens (and max_completion_tokens, and n) appended, last so that they win, wherever it has none or
    /// one the server would accept above 4. Values the server refuses are left as they are.
    /// </summary>
    static byte[] Cheap(byte[] body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body))
            return body;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return body;
            var overrides = new List<string>();
            foreach (var (key, most) in new[] { ("max_tokens", 4L), ("max_completion_tokens", 4L), ("n", 2L) })
            {
                var given = root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;
                var accepted = given && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n > most && n <= 4096;
                if ((!given && key != "n") || accepted)
                    overrides.Add($"\"{key}\":2");
            }
            if (overrides.Count == 0)
                return body;
            var text = Encoding.UTF8.GetString(body);
            var end = text.LastIndexOf('}');
            var comma = root.EnumerateObject().Any() ? "," : "";
            return Encoding.UTF8.GetBytes(text[..end] + comma + string.Join(",", overrides) + text[end..]);
        }
        catch (JsonException)
        {
            return body;
        }
    }

    static string Object(IEnumerable<(string Key, string Json)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{Quote(f.Key)}:{f.Json}")) + "}";

    /// <summary>A JSON string literal; a lone surrogate is written as its \u escape, as no serializer would.</summary>
    static string Quote(string text)
    {
        var json = new StringBuilder("\"");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair)
            {
                json.Append(c).Append(text[++i]);
                continue;
            }
            json.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ when c < 0x20 || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return json.Append('"').ToString();
    }
}
