using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

// HF's tojson is json.dumps(ensure_ascii=False): ", " and ": " separators, keys in insertion order.
public sealed class JsonTests
{
    private static readonly Dictionary<string, object?> Values = new()
    {
        ["value"] = new Dictionary<string, object?>
        {
            ["zeta"] = 1,
            ["alpha"] = "é \"quoted\" \\ \n\t\u0001 😀",
            ["list"] = new List<object?> { 1.5, true, null, 2.0 },
            ["empty"] = new Dictionary<string, object?>(),
        },
    };

    [Fact]
    public void Render_ToJson_MatchesPythonJsonDumps()
    {
        var output = Chat.Render("{{ value | tojson }}", Values);

        Assert.Equal("{\"zeta\": 1, \"alpha\": \"é \\\"quoted\\\" \\\\ \\n\\t\\u0001 😀\", \"list\": [1.5, true, null, 2.0], \"empty\": {}}", output);
    }

    [Fact]
    public void Render_ToJsonWithIndent_UsesNewlinesAndNoTrailingSpaces()
    {
        var output = Chat.Render("{{ value.list | tojson(indent=2) }}|{{ value.empty | tojson(indent=2) }}|{{ {'a': [1]} | tojson(indent=2) }}", Values);

        Assert.Equal("[\n  1.5,\n  true,\n  null,\n  2.0\n]|{}|{\n  \"a\": [\n    1\n  ]\n}", output);
    }

    [Fact]
    public void Render_ToJsonOptions_SortKeysAndEscapeNonAscii()
    {
        var output = Chat.Render("{{ {'b': 1, 'a': 'é'} | tojson(sort_keys=true) }}|{{ 'é😀' | tojson(ensure_ascii=true) }}");

        Assert.Equal("{\"a\": \"é\", \"b\": 1}|\"\\u00e9\\ud83d\\ude00\"", output);
    }

    [Fact]
    public void Render_ToJsonOfUndefined_FailsLikeJsonDumps()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Chat.Render("{{ missing | tojson }}"));

        Assert.Contains("not JSON serializable", error.Message);
    }
}
