using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

public sealed class FilterTests
{
    private static readonly Dictionary<string, object?> Values = new()
    {
        ["messages"] = new List<object?>
        {
            Chat.Message("user", "u1"),
            new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "a", ["tool_calls"] = new List<object?>() },
            Chat.Message("user", "u2"),
        },
        ["padded"] = "  Hello World  ",
        ["numbers"] = new List<object?> { 3, 1, 2 },
        ["empty"] = "",
    };

    [Theory]
    [InlineData("{{ padded | trim }}|{{ padded | upper }}|{{ padded | lower }}", "Hello World|  HELLO WORLD  |  hello world  ")]
    [InlineData("{{ 'hello wORLD' | capitalize }}|{{ 'hello wORLD-foo' | title }}", "Hello world|Hello World-Foo")]
    [InlineData("{{ padded | replace('l', 'L') }}|{{ padded | length }}|{{ numbers | count }}", "  HeLLo WorLd  |15|3")]
    [InlineData("{{ numbers | join(', ') }}|{{ numbers | first }}|{{ numbers | last }}|{{ numbers | reverse | list }}", "3, 1, 2|3|2|[2, 1, 3]")]
    [InlineData("{{ missing | default('d') }}|{{ empty | default('d') }}|{{ empty | d('d', true) }}", "d||d")]
    [InlineData("{{ 'ab' | list }}|{{ numbers | string }}|{{ '42' | int }}|{{ '4.7' | int }}|{{ 'x' | int }}|{{ '2.5' | float }}", "['a', 'b']|[3, 1, 2]|42|4|0|2.5")]
    [InlineData("{{ {'a': 1} | items | list }}|{{ -3 | abs }}|{{ 2.567 | round(1) }}", "[('a', 1)]|3|2.6")]
    [InlineData("{{ {'b': 1, 'A': 2} | dictsort }}|{{ {'b': 1, 'a': 2} | dictsort(by='value', reverse=true) }}", "[('A', 2), ('b', 1)]|[('a', 2), ('b', 1)]")]
    [InlineData("{{ '<a href=\"x\">' | e }}|{{ '<b>' | safe }}", "&lt;a href=&#34;x&#34;&gt;|<b>")]
    [InlineData("{{ 'a\nb\n\nc' | indent(2) }}|{{ 'a\nb' | indent(first=true) }}|{{ 'a\n\nb' | indent('> ', blank=true) }}", "a\n  b\n\n  c|    a\n    b|a\n> \n> b")]
    public void Render_Filters_MatchJinja(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }

    [Theory]
    [InlineData("{{ messages | selectattr('role', 'equalto', 'user') | list | length }}", "2")]
    [InlineData("{{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | join }}", "assistant")]
    [InlineData("{{ messages | selectattr('tool_calls', 'defined') | list | length }}", "1")]
    [InlineData("{{ messages | selectattr('tool_calls', 'undefined') | map(attribute='content') | join(',') }}", "u1,u2")]
    [InlineData("{{ messages | map(attribute='name', default='-') | join }}", "---")]
    [InlineData("{{ none | selectattr('role') | list }}|{{ none | map(attribute='role') | list }}", "[]|[]")]
    [InlineData("{{ ['a', 'B'] | map('upper') | join }}|{{ [0, 1, '', 'x'] | select | list }}|{{ [1, 2, 3] | reject('odd') | list }}", "AB|[1, 'x']|[2]")]
    public void Render_SelectionFilters_FilterAndProject(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }

    [Theory]
    [InlineData("{{ padded.strip() }}|{{ padded.lstrip() }}|{{ padded.rstrip() }}|{{ 'xxhixx'.strip('x') }}", "Hello World|Hello World  |  Hello World|hi")]
    [InlineData("{{ 'a,b,,c'.split(',') }}|{{ '  a  b c '.split() }}|{{ 'a b c'.split(' ', 1) }}", "['a', 'b', '', 'c']|['a', 'b', 'c']|['a', 'b c']")]
    [InlineData("{{ padded.startswith('  He') }}|{{ padded.endswith(('x', '  ')) }}|{{ padded.upper() }}", "True|True|  HELLO WORLD  ")]
    [InlineData("{{ \"it's a test\".title() }}|{{ 'a-b'.replace('-', '+') }}|{{ ', '.join(['x', 'y']) }}", "It'S A Test|a+b|x, y")]
    [InlineData("{{ {'a': 1}.get('a') }}|{{ {'a': 1}.get('z', 'd') }}|{{ {'a': 1}.get('z') }}|{{ {'a': 1}.keys() | list }}|{{ {'a': 1}.values() | list }}", "1|d|None|['a']|[1]")]
    public void Render_Methods_MatchPython(string template, string expected)
    {
        Assert.Equal(expected, Chat.Render(template, Values));
    }

    [Fact]
    public void Render_StrftimeNow_FormatsTheInjectedClock()
    {
        Assert.Equal("05 Sep 2024|2024-09-05 14:03:07 Thursday|5", Chat.Render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S %A') }}|{{ strftime_now('%-d') }}"));
    }
}
