using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Evaluation;

public sealed class LoopTests
{
    private static readonly Dictionary<string, object?> Letters = new() { ["xs"] = new List<object?> { "a", "b", "c" } };

    [Fact]
    public void Render_LoopCounters_FollowJinja()
    {
        var output = Chat.Render("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.length }} {% endfor %}", Letters);

        Assert.Equal("10323 21213 32103 ", output);
    }

    [Fact]
    public void Render_LoopFirstLastAndNeighbours_AreSetPerItem()
    {
        var output = Chat.Render("{% for x in xs %}{{ loop.first }}/{{ loop.last }}/{{ loop.previtem }}/{{ loop.nextitem }};{% endfor %}", Letters);

        Assert.Equal("True/False//b;False/False/a/c;False/True/b/;", output);
    }

    [Fact]
    public void Render_InlineIfFilter_CountsOnlyKeptItems()
    {
        var output = Chat.Render("{% for x in xs if x != 'b' %}{{ x }}{{ loop.index }}/{{ loop.length }}{{ '.' if loop.last }}{% endfor %}", Letters);

        Assert.Equal("a1/2c2/2.", output);
    }

    [Fact]
    public void Render_EmptyIterable_RendersElseBlock()
    {
        Assert.Equal("none", Chat.Render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"));
    }

    [Fact]
    public void Render_TupleUnpackingOverItems_KeepsInsertionOrder()
    {
        var variables = new Dictionary<string, object?> { ["d"] = new Dictionary<string, object?> { ["z"] = 1, ["a"] = 2 } };

        Assert.Equal("z=1,a=2,", Chat.Render("{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}", variables));
    }

    [Fact]
    public void Render_BreakAndContinue_ControlTheLoop()
    {
        Assert.Equal("0134", Chat.Render("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}"));
    }

    [Fact]
    public void Render_NestedLoops_EachSeeTheirOwnLoopVariable()
    {
        Assert.Equal("1:12 2:12 ", Chat.Render("{% for a in [1, 2] %}{{ loop.index }}:{% for b in 'xy' %}{{ loop.index }}{% endfor %} {% endfor %}"));
    }

    [Fact]
    public void Render_SetInsideLoop_DoesNotLeakOut()
    {
        Assert.Equal("0", Chat.Render("{% set n = 0 %}{% for x in [1, 2] %}{% set n = n + x %}{% endfor %}{{ n }}"));
    }

    [Fact]
    public void Render_NamespaceAttributeSetInsideLoop_IsSeenAfterIt()
    {
        var template = "{% set ns = namespace(total=0, seen=false) %}{% for x in [1, 2, 3] %}{% set ns.total = ns.total + x %}"
            + "{% if x == 2 %}{% set ns.seen = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.seen }}";

        Assert.Equal("6 True", Chat.Render(template));
    }

    [Fact]
    public void Render_RangeWithStartStopStep_CountsLikePython()
    {
        Assert.Equal("147|531|", Chat.Render("{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}|{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}|{% for i in range(0) %}x{% endfor %}"));
    }
}
