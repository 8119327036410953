using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

public sealed class ValueConverterTests
{
    private const string Template = "{% for m in messages %}{{ m.role }}:{{ m.content }}:{{ m.n is integer }}:{{ m.x is float }};{% endfor %}{{ tools | tojson }}";

    private const string Json =
        """{"messages": [{"role": "user", "content": "hi", "n": 3, "x": 1.0}, {"role": "assistant", "content": null}], "tools": [{"b": 1, "a": [true, 2.5]}]}""";

    private const string Expected = "user:hi:True:True;assistant:None:False:False;[{\"b\": 1, \"a\": [true, 2.5]}]";

    [Fact]
    public void Render_JsonElementVariables_ConvertLikeJsonLoads()
    {
        using var document = JsonDocument.Parse(Json);
        var variables = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);

        Assert.Equal(Expected, Chat.Render(Template, variables));
    }

    [Fact]
    public void Render_JsonNodeVariables_ConvertLikeJsonLoads()
    {
        var root = JsonNode.Parse(Json)!.AsObject();
        var variables = root.ToDictionary(p => p.Key, p => (object?)p.Value);

        Assert.Equal(Expected, Chat.Render(Template, variables));
    }

    [Fact]
    public void Render_ClrCollections_KeepInsertionOrder()
    {
        var variables = new Dictionary<string, object?>
        {
            ["d"] = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" },
            ["xs"] = new[] { 1, 2 },
            ["f"] = 1.5f,
        };

        Assert.Equal("{\"z\": \"1\", \"a\": \"2\"}|[1, 2]|1.5", Chat.Render("{{ d | tojson }}|{{ xs }}|{{ f }}", variables));
    }
}
