using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

public sealed class UndefinedTests
{
    private static readonly Dictionary<string, object?> Values = new()
    {
        ["message"] = Chat.Message("user", "hi"),
        ["nothing"] = null,
    };

    [Theory]
    [InlineData("[{{ missing }}]", "[]")]
    [InlineData("{{ missing is defined }}|{{ missing is not defined }}|{{ missing is undefined }}", "False|True|True")]
    [InlineData("{% if missing %}T{% else %}F{% endif %}|{% if not missing %}T{% endif %}", "F|T")]
    [InlineData("{{ missing | length }}|{{ missing | default('x') }}|{% for x in missing %}x{% endfor %}|{{ missing ~ '!' }}", "0|x||!")]
    [InlineData("{{ message.tool_calls is defined }}|{{ message['name'] is defined }}|{{ message.content.content is defined }}", "False|False|False")]
    [InlineData("[{{ missing.attribute.chain }}]|{{ missing.attribute is defined }}", "[]|False")]
    [InlineData("{{ nothing is none }}|{{ nothing is defined }}|{{ missing is none }}|{{ missing == none }}", "True|True|False|False")]
    public void Render_Undefined_BehavesLikeJinjasDefaultUndefined(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }

    [Fact]
    public void Render_ArithmeticOnUndefined_FailsNamingTheVariable()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Chat.Render("{{ missing + 1 }}"));

        Assert.Equal("chat template line 1, column 12: 'missing' is undefined", error.Message);
    }

    [Theory]
    [InlineData("{{ 'x' is string }}{{ {} is mapping }}{{ [] is iterable }}{{ 'x' is iterable }}{{ 1 is number }}{{ 1.5 is number }}", "TrueTrueTrueTrueTrueTrue")]
    [InlineData("{{ [] is sequence }}{{ true is boolean }}{{ 1 is boolean }}{{ none is string }}{{ 1 is integer }}{{ 1.0 is float }}", "TrueTrueFalseFalseTrueTrue")]
    [InlineData("{{ 5 is odd }}{{ 5 is divisibleby 5 }}{{ 'user' is equalto 'user' }}{{ range is callable }}{{ strftime_now is defined }}", "TrueTrueTrueTrueTrue")]
    public void Render_Tests_FollowPythonTypes(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }
}
