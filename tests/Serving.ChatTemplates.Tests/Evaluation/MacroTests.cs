using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

/// <summary>Macros as newer chat templates (Hermes tool use, Qwen3, gpt-oss) define and call them.</summary>
public sealed class MacroTests
{
    [Fact]
    public void Render_Macro_TakesPositionalNamedAndDefaultArguments()
    {
        var output = Chat.Render(
            "{% macro tag(name, body, close='/') %}<{{ name }}>{{ body }}<{{ close }}{{ name }}>{% endmacro %}" +
            "{{ tag('a', 'x') }}|{{ tag('b', body='y') }}|{{ tag('c', 'z', close='\\\\') }}",
            new Dictionary<string, object?>());

        Assert.Equal("<a>x</a>|<b>y</b>|<c>z<\\c>", output);
    }

    [Fact]
    public void Render_Macro_SeesTheTemplatesVariablesButKeepsItsOwnSetsInside()
    {
        var output = Chat.Render(
            "{% macro render(m) %}{% set prefix = m.role ~ ': ' %}{{ prefix }}{{ m.content }}{{ eos }}{% endmacro %}" +
            "{% for m in messages %}{{ render(m) }}{% endfor %}[{{ prefix }}]",
            new Dictionary<string, object?>
            {
                ["eos"] = ";",
                ["messages"] = new List<object?> { new Dictionary<string, object?> { ["role"] = "user", ["content"] = "hi" } },
            });

        Assert.Equal("user: hi;[]", output);
    }

    [Fact]
    public void Render_MacroWithUnknownArgument_NamesIt()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Chat.Render("{% macro f(a) %}{{ a }}{% endmacro %}{{ f(b=1) }}", new Dictionary<string, object?>()));

        Assert.Contains("macro 'f' has no parameter 'b'", error.Message);
    }
}
