using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests;

public sealed class ErrorTests
{
    [Theory]
    [InlineData("{{ x }}\n  {{ text | wordwrap(20) }}", 2, 13, "the filter 'wordwrap' is not supported")]
    [InlineData("{% if x is divisibleby 3 %}{% endif %}{{ y is escaped }}", 1, 47, "the test 'escaped' is not supported")]
    [InlineData("a\n{% call greet() %}hi{% endcall %}", 2, 4, "the tag 'call' is not supported")]
    [InlineData("{% include 'other.jinja' %}", 1, 4, "the tag 'include' is not supported")]
    [InlineData("{% for m in messages recursive %}{% endfor %}", 1, 22, "recursive for loops are not supported")]
    public void Parse_UnsupportedFeature_NamesItWithLineAndColumn(string template, int line, int column, string problem)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));

        Assert.Equal($"chat template line {line}, column {column}: {problem}", error.Message);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{% if x %}open", "never closed with '{% endif %}'")]
    [InlineData("{% endfor %}", "unexpected tag 'endfor'")]
    [InlineData("{{ x ", "not closed with '}}'")]
    [InlineData("{{ 'abc }}", "string literal is not closed")]
    [InlineData("{{ x + }}", "unexpected '}}' in an expression")]
    [InlineData("{% break %}", "only allowed inside a for loop")]
    [InlineData("{# note", "comment is not closed")]
    public void Parse_SyntaxError_ThrowsChatTemplateException(string template, string problem)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(template));

        Assert.Contains(problem, error.Message);
        Assert.StartsWith("chat template line 1, column ", error.Message);
    }

    [Theory]
    [InlineData("{{ 'x'.zfill(3) }}", "the str method 'zfill' is not supported")]
    [InlineData("{{ [1].append(2) }}", "the list method 'append' is not supported")]
    [InlineData("{{ cycler('a') }}", "the function 'cycler' is not supported")]
    [InlineData("{{ 'a' + 1 }}", "unsupported operand types for +: 'str' and 'int'")]
    [InlineData("{% for x in none %}{% endfor %}", "'NoneType' object is not iterable")]
    [InlineData("{% set ns = 1 %}{% set ns.a = 2 %}", "not a namespace()")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{{ 3 is divisibleby(0) }}", "division by zero")]
    [InlineData("{{ (-9223372036854775807 - 1) | abs }}", "integer overflow")]
    [InlineData("{{ {'a': 1, 'b': 'x'} | dictsort(by='value') }}", "cannot compare")]
    public void Render_RuntimeFailure_ThrowsChatTemplateExceptionWithPosition(string template, string problem)
    {
        var error = Assert.Throws<ChatTemplateException>(() => Chat.Render(template));

        Assert.IsNotType<ChatTemplateRaiseException>(error);
        Assert.Contains(problem, error.Message);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Render_RaiseException_CarriesTheMessageVerbatimAndItsPlace()
    {
        var template = ChatTemplate.Parse("line one\n{% if true %}{{ raise_exception('Only \"user\" roles, please: ' ~ 3) }}{% endif %}");

        var error = Assert.Throws<ChatTemplateRaiseException>(() => template.Render(new Dictionary<string, object?>()));

        Assert.Equal("Only \"user\" roles, please: 3", error.Message);
        Assert.Equal((2, 17), (error.Line, error.Column));
    }

    [Fact]
    public void Render_UnsupportedInputValue_ThrowsChatTemplateException()
    {
        var variables = new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch };

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{{ when }}").Render(variables));

        Assert.Contains("DateTime", error.Message);
    }
}
