using System.Diagnostics;
using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests;

/// <summary>The render budget: recursion depth, nesting, output size and steps, each a named error, never a crash.</summary>
public sealed class LimitTests
{
    private static readonly Dictionary<string, object?> NoVariables = [];

    private static ChatTemplateLimitException RenderFails(string template, ChatTemplateLimits? limits = null, object? variables = null) =>
        Assert.Throws<ChatTemplateLimitException>(() => Render(template, limits, variables));

    private static string Render(string template, ChatTemplateLimits? limits = null, object? variables = null) =>
        ChatTemplate.Parse(template, FixedClock.Default, limits ?? ChatTemplateLimits.Default)
            .Render(variables as IReadOnlyDictionary<string, object?> ?? NoVariables);

    [Fact]
    public void Render_MacroCallingItselfForever_ExceedsTheRecursionDepthLimit()
    {
        var error = RenderFails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");

        Assert.Equal("chat template exceeded its recursion depth limit (64)", error.Message);
        Assert.Equal(ChatTemplateLimit.RecursionDepth, error.Limit);
        Assert.Equal(64, error.Value);
        Assert.IsAssignableFrom<ChatTemplateException>(error);
    }

    [Fact]
    public void Render_MacrosCallingEachOther_CountEveryCall()
    {
        const string Template =
            "{% macro a(n) %}{% if n > 0 %}a{{ b(n - 1) }}{% endif %}{% endmacro %}" +
            "{% macro b(n) %}{% if n > 0 %}b{{ a(n - 1) }}{% endif %}{% endmacro %}{{ a(depth) }}";
        var limits = new ChatTemplateLimits { MaxRecursionDepth = 10 };

        // a(9) calls down to the tenth macro, which returns; a(10) asks for an eleventh.
        Assert.Equal("ababababa", Render(Template, limits, new Dictionary<string, object?> { ["depth"] = 9 }));
        Assert.Equal(ChatTemplateLimit.RecursionDepth, RenderFails(Template, limits, new Dictionary<string, object?> { ["depth"] = 10 }).Limit);
    }

    [Fact]
    public void Render_MacroCalledManyTimesInALoop_IsNotRecursion()
    {
        var output = Render("{% macro f(x) %}{{ x }}{% endmacro %}{% for i in range(200) %}{{ f(i % 10) }}{% endfor %}");

        Assert.Equal(200, output.Length);
    }

    [Theory]
    [InlineData("{{ 'x' * 10**9 }}")]
    [InlineData("{{ 10**9 * 'x' }}")]
    [InlineData("{{ 'ab' * 2**40 }}")]
    [InlineData("{{ ['x'] * 10**12 }}")]
    [InlineData("{{ range(10**15) | length }}")]
    [InlineData("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}")]
    [InlineData("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}")]
    [InlineData("{{ ('ab' * 1000000).replace('a', 'x' * 100) }}")]
    [InlineData("{{ 'a' | indent(10**12) }}")]
    [InlineData("{{ ('a\\n' * 1000000) | indent(100) }}")]
    [InlineData("{{ [1, [2, [3]]] | tojson(indent=10**9) }}")]
    [InlineData("{{ ['x' * 1000000] * 100 }}")]
    [InlineData("{{ (['x' * 1000000] * 100) | join(',') }}")]
    [InlineData("{{ ','.join(['x' * 1000000] * 100) }}")]
    public void Render_TextOverTheOutputLimit_IsStoppedBeforeItIsBuilt(string template)
    {
        var clock = Stopwatch.StartNew();

        var error = RenderFails(template);

        Assert.True(error.Limit is ChatTemplateLimit.OutputLength or ChatTemplateLimit.Steps, error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Render_OutputLimit_HoldsAtExactlyTheLimit()
    {
        var limits = new ChatTemplateLimits { MaxOutputLength = 1000 };
        const string Template = "{% for i in range(n) %}0123456789{% endfor %}";

        Assert.Equal(1000, Render(Template, limits, new Dictionary<string, object?> { ["n"] = 100 }).Length);
        var error = RenderFails(Template, limits, new Dictionary<string, object?> { ["n"] = 101 });
        Assert.Equal("chat template exceeded its output size limit (1000 characters)", error.Message);
    }

    [Fact]
    public void Render_SetBlockOverTheOutputLimit_FailsAlthoughNothingIsPrinted()
    {
        var limits = new ChatTemplateLimits { MaxOutputLength = 100 };

        var error = RenderFails("{% set big %}{% for i in range(20) %}0123456789{% endfor %}{% endset %}", limits);

        Assert.Equal(ChatTemplateLimit.OutputLength, error.Limit);
    }

    [Theory]
    [InlineData("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")]
    [InlineData("{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}")]
    [InlineData("{% set ns = namespace(s='x' * 1000000) %}{% for i in range(100000) %}{% set ns.t = ns.s | length %}{% endfor %}")]
    [InlineData("{% set ns = namespace(s='x' * 1000000) %}{% for i in range(100000) %}{% set ns.t = ns.s[5] %}{% endfor %}")]
    [InlineData("{% set ns = namespace(s='a b ' * 100000) %}{% for i in range(100000) %}{% set ns.t = ns.s.split() %}{% endfor %}")]
    public void Render_UnboundedWork_ExceedsTheStepLimit(string template)
    {
        var error = RenderFails(template, new ChatTemplateLimits { MaxSteps = 500_000 });

        Assert.Equal("chat template exceeded its step limit (500000 steps)", error.Message);
        Assert.Equal(ChatTemplateLimit.Steps, error.Limit);
    }

    [Fact]
    public void Render_StepLimit_CountsStatementsAndIterations()
    {
        const string Template = "{% for i in range(10) %}{{ i }}{% endfor %}";

        Assert.Equal("0123456789", Render(Template, new ChatTemplateLimits { MaxSteps = 100 }));
        Assert.Equal(ChatTemplateLimit.Steps, RenderFails(Template, new ChatTemplateLimits { MaxSteps = 20 }).Limit);
    }

    [Theory]
    [InlineData("{{ ", "(", "1", ")", " }}")]
    [InlineData("{{ ", "[", "1", "]", " }}")]
    [InlineData("{{ ", "{'a': ", "1", "}", " }}")]
    [InlineData("{{ ", "f(", "1", ")", " }}")]
    [InlineData("{{ ", "x[", "0", "]", " }}")]
    [InlineData("{{ ", "not ", "1", "", " }}")]
    [InlineData("{{ ", "- ", "1", "", " }}")]
    [InlineData("", "{% if true %}", "x", "{% endif %}", "")]
    [InlineData("", "{% for x in y %}", "x", "{% endfor %}", "")]
    public void Parse_DeepNesting_IsANestingLimitErrorNotAStackOverflow(string prefix, string open, string middle, string close, string suffix)
    {
        var template = prefix + string.Concat(Enumerable.Repeat(open, 100_000)) + middle + string.Concat(Enumerable.Repeat(close, 100_000)) + suffix;

        var error = Assert.Throws<ChatTemplateLimitException>(() => ChatTemplate.Parse(template));

        Assert.Equal(ChatTemplateLimit.NestingDepth, error.Limit);
        Assert.StartsWith("chat template exceeded its nesting depth limit (256): line 1, column ", error.Message);
    }

    [Fact]
    public void Parse_NestingWithinTheLimit_Parses()
    {
        var template = "{{ " + new string('(', 200) + "1" + new string(')', 200) + " }}";

        Assert.Equal("1", Render(template));
    }

    [Theory]
    [InlineData("{{ 1", " ~ 1", " }}")]
    [InlineData("{{ 1", " + 1", " }}")]
    [InlineData("{{ x", " | trim", " }}")]
    [InlineData("{{ x", ".a", " }}")]
    [InlineData("{{ 1", " == 1", " }}")]
    public void Render_LongOperatorChain_IsANestingLimitError(string start, string link, string end)
    {
        // The parser reads chains in a loop, but they evaluate as deep trees.
        var template = start + string.Concat(Enumerable.Repeat(link, 100_000)) + end;

        Assert.Equal(ChatTemplateLimit.NestingDepth, RenderFails(template).Limit);
    }

    [Theory]
    [InlineData("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}")]
    [InlineData("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}")]
    [InlineData("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x | tojson }}")]
    [InlineData("{% set ns = namespace(x=[], y=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% set ns.y = [ns.y] %}{% endfor %}{{ ns.x == ns.y }}")]
    [InlineData("{% set ns = namespace(x=[], y=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% set ns.y = [ns.y] %}{% endfor %}{{ ns.x < ns.y }}")]
    public void Render_DeeplyNestedValue_IsANestingLimitError(string template)
    {
        Assert.Equal(ChatTemplateLimit.NestingDepth, RenderFails(template).Limit);
    }

    [Fact]
    public void Render_NestingOnASmallStack_StopsBeforeTheStackRunsOut()
    {
        // A limit far above what a 256 KiB stack holds: the stack check must stop it first, with the same error.
        var limits = new ChatTemplateLimits { MaxNestingDepth = 100_000, MaxRecursionDepth = 100_000 };
        var templates = new[]
        {
            "{{ " + new string('(', 20_000) + "1" + new string(')', 20_000) + " }}",
            "{% macro f(n) %}{% if true %}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
            "{% set ns = namespace(x=[]) %}{% for i in range(20000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}",
        };
        var errors = new List<ChatTemplateLimitException?>();
        var thread = new Thread(
            () =>
            {
                foreach (var template in templates)
                {
                    try
                    {
                        Render(template, limits);
                        errors.Add(null);
                    }
                    catch (ChatTemplateLimitException e)
                    {
                        errors.Add(e);
                    }
                }
            },
            maxStackSize: 256 * 1024);

        thread.Start();
        thread.Join();

        Assert.Equal(templates.Length, errors.Count);
        Assert.All(errors, e => Assert.Contains("the thread's stack ran short", e?.Message));
    }

    [Fact]
    public void Render_UserContentOverTheOutputLimit_IsALimitErrorOfARealTemplate()
    {
        var template = ChatTemplate.Parse(File.ReadAllText(TestData("chatml.jinja")), new ChatTemplateLimits { MaxOutputLength = 10_000 });
        List<object?> messages = [Chat.Message("user", new string('x', 20_000))];

        var error = Assert.Throws<ChatTemplateLimitException>(() => template.Render(Chat.Variables(messages, addGenerationPrompt: true)));

        Assert.Equal(ChatTemplateLimit.OutputLength, error.Limit);
    }

    [Theory]
    [InlineData("llama-3.1-8b-instruct.jinja")]
    [InlineData("qwen2.5-instruct.jinja")]
    [InlineData("mistral-nemo-instruct-2407.jinja")]
    [InlineData("gemma-2-it.jinja")]
    public void Render_LargestRequestTheGatewayTakes_FitsTheDefaults(string file)
    {
        // 1,024 messages (the gateway's limit) of 4 KiB each, which with the tools is the 4 MiB body limit, and 128 tools.
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 90));
        var messages = Enumerable.Range(0, 1024).Select(i => (object?)Chat.Message(i % 2 == 0 ? "user" : "assistant", text + i)).ToList();
        var tools = Enumerable.Repeat(SampleTools.Weather[0], 128).ToList();

        var prompt = Chat.Load(file).Render(Chat.Variables(messages, addGenerationPrompt: true, "<s>", "</s>", tools));

        Assert.True(prompt.Length > 1024 * text.Length);
    }

    [Fact]
    public void Parse_LimitsOutOfRange_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChatTemplate.Parse("x", new ChatTemplateLimits { MaxRecursionDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChatTemplate.Parse("x", new ChatTemplateLimits { MaxSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChatTemplate.Parse("x", new ChatTemplateLimits { MaxOutputLength = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChatTemplate.Parse("x", new ChatTemplateLimits { MaxNestingDepth = 1 }));
    }

    [Fact]
    public void Parse_WithLimits_KeepsThemForEveryRender()
    {
        var limits = new ChatTemplateLimits { MaxSteps = 1234 };

        Assert.Same(limits, ChatTemplate.Parse("x", limits).Limits);
        Assert.Same(ChatTemplateLimits.Default, ChatTemplate.Parse("x").Limits);
        Assert.Same(limits, new ChatTemplateSource("x", null, null).Compile(limits).Limits);
    }

    [Theory]
    [InlineData("{{ range(2**62, 9223372036854775807, 2**61) }}", "[4611686018427387904, 6917529027641081856]")]
    [InlineData("{{ range(-9223372036854775807 - 1, 9223372036854775807, 2**62) | length }}", "4")]
    [InlineData("{{ range(5, 0, -2) }}|{{ range(0, 5, -1) }}", "[5, 3, 1]|[]")]
    [InlineData("[{{ '' * 10**15 }}]|{{ [] * 10**15 }}|{{ 'ab' * -3 }}", "[]|[]|")]
    [InlineData("{{ ' a  b c  '.split(none, 1) }}|{{ ' a  b '.split() }}", "['a', 'b c  ']|['a', 'b']")]
    [InlineData("{{ 'a😀b' | length }}|{{ 'ab' | length }}", "3|2")]
    [InlineData("{{ 1 ** 9223372036854775807 }}|{{ (-1) ** 9223372036854775806 }}|{{ 3 ** 39 }}", "1|1|4052555153018976267")]
    [InlineData("{{ 'abc'[::9223372036854775807] }}|{{ 'abc'[::-9223372036854775807] }}|{{ [1, 2, 3][1::2] }}", "a|c|[2]")]
    [InlineData("{{ 'a,b'.split(',', 9223372036854775807) }}", "['a', 'b']")]
    [InlineData("{{ 1234.5 | round(-2) }}|{{ 1.25 | round(20) }}|{{ 2.5 | round }}", "1200.0|1.25|2.0")]
    [InlineData("{{ (-9223372036854775807 - 1) is divisibleby(-1) }}", "True")]
    public void Render_ValuesAtTheEdges_FollowPython(string template, string expected)
    {
        Assert.Equal(expected, Render(template));
    }

    private static string TestData(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", file);
}
