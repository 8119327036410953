using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

public sealed class ExpressionTests
{
    private static readonly Dictionary<string, object?> Values = new()
    {
        ["messages"] = new List<object?> { Chat.Message("system", "s"), Chat.Message("user", "u"), Chat.Message("assistant", "a") },
        ["word"] = "Hello",
        ["numbers"] = new List<object?> { 1, 2, 3, 4 },
        ["emoji"] = "a😀b",
    };

    [Theory]
    [InlineData("{{ messages[1:] | length }}", "2")]
    [InlineData("{{ messages[::-1][0].role }}", "assistant")]
    [InlineData("{{ messages[-1]['role'] }}", "assistant")]
    [InlineData("{{ numbers[1:3] }}", "[2, 3]")]
    [InlineData("{{ numbers[::2] }}", "[1, 3]")]
    [InlineData("{{ numbers[:-1] }}", "[1, 2, 3]")]
    [InlineData("{{ numbers[10:] }}", "[]")]
    [InlineData("{{ word[1:4] }}|{{ word[::-1] }}|{{ word[0] }}", "ell|olleH|H")]
    [InlineData("{{ emoji | length }}|{{ emoji[1] }}|{{ emoji[::-1] }}|{{ emoji | list }}", "3|😀|b😀a|['a', '😀', 'b']")]
    public void Render_SubscriptsAndSlices_FollowPython(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }

    [Theory]
    [InlineData("{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 2 ** 10 }}", "7|9|1024")]
    [InlineData("{{ 7 / 2 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 4 / 2 }}", "3.5|3|-4|2|2.0")]
    [InlineData("{{ 0.1 + 0.2 }}|{{ 1e20 }}|{{ 1e-5 }}|{{ 2.50 }}", "0.30000000000000004|1e+20|1e-05|2.5")]
    [InlineData("{{ 'a' ~ 1 ~ none ~ true }}|{{ 'ab' * 2 }}|{{ [1] + [2] }}", "a1NoneTrue|abab|[1, 2]")]
    [InlineData("{{ 1 < 2 < 3 }}|{{ 3 > 2 > 2 }}|{{ 1 == 1.0 }}|{{ 'a' != 'b' }}", "True|False|True|True")]
    [InlineData("{{ true and 'x' }}|{{ false or 'y' }}|{{ not none }}|{{ 'ell' in word }}|{{ 5 not in numbers }}", "x|y|True|True|True")]
    [InlineData("{{ 'a' if word else 'b' }}|{{ 'a' if none else 'b' }}|{{ 'a' if none }}|", "a|b||")]
    [InlineData("{{ none }}|{{ True }}|{{ {'k': [1, 'v', none, false, 1.5]} }}", "None|True|{'k': [1, 'v', None, False, 1.5]}")]
    [InlineData("{{ \"tab\\there\" }}|{{ 'it\\'s' }}|{{ \"\\u00e9\" }}|{{ 'a' 'b' }}", "tab\there|it's|é|ab")]
    [InlineData("{{ (1, 'a') }}|{{ (1,) }}|{{ () }}|{{ (1, 2) | tojson }}|{{ (1, 2)[1] }}", "(1, 'a')|(1,)|()|[1, 2]|2")]
    [InlineData("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t %}[{{ word }}]{% endset %}{{ t }}", "12[Hello]")]
    [InlineData("{{ messages[0] == {'role': 'system', 'content': 's'} }}|{{ 'role' in messages[0] }}", "True|True")]
    public void Render_Expressions_MatchJinja(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }

    [Fact]
    public void Render_SetMessagesAtTopLevel_ReplacesTheVariable()
    {
        var template = "{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'] %}{% set messages = messages[1:] %}{% endif %}"
            + "{{ system }}:{% for m in messages %}{{ m.role }},{% endfor %}";

        Assert.Equal("s:user,assistant,", Chat.Render(template, Values));
    }

    [Fact]
    public void Render_GenerationBlock_RendersItsBodyUnchanged()
    {
        Assert.Equal("<a>Hello</a>", Chat.Render("<a>{% generation %}{{ word }}{% endgeneration %}</a>", Values));
    }
}
