using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests.Lexing;

// transformers renders with trim_blocks=True and lstrip_blocks=True; these pin that behaviour.
public sealed class WhitespaceTests
{
    [Fact]
    public void Render_BlockTagFollowedByNewline_DropsThatNewline()
    {
        Assert.Equal("a\nb\n", Chat.Render("{% if true %}\na\n{% endif %}\nb\n\n"));
    }

    [Fact]
    public void Render_IndentedBlockTag_StripsTheIndentBeforeIt()
    {
        Assert.Equal("  x\n", Chat.Render("    {% if true %}\n  x\n    {% endif %}\n"));
    }

    [Fact]
    public void Render_IndentBeforeExpression_IsKept()
    {
        Assert.Equal("  1\n  2\n", Chat.Render("{% for i in [1, 2] %}\n  {{ i }}\n{% endfor %}"));
    }

    [Fact]
    public void Render_DashMarkers_StripAllSurroundingWhitespace()
    {
        Assert.Equal("a|b|c", Chat.Render("a  \n {{- '|' -}} \n b \n  {%- if true -%}  \n |c  {%- endif %}"));
    }

    [Fact]
    public void Render_PlusMarker_KeepsTheIndent()
    {
        Assert.Equal("  x", Chat.Render("  {%+ if true %}x{% endif %}"));
    }

    [Fact]
    public void Render_Comment_IsRemovedWithItsLine()
    {
        Assert.Equal("a\nb", Chat.Render("a\n  {# why #}\nb"));
    }

    [Fact]
    public void Render_TemplateEndingInNewline_DropsOneTrailingNewline()
    {
        Assert.Equal("x\n", Chat.Render("x\n\n"));
    }

    [Fact]
    public void Render_CarriageReturnNewlines_AreNormalized()
    {
        Assert.Equal("a\nb", Chat.Render("a\r\n{% if true %}\r\nb{% endif %}"));
    }

    [Fact]
    public void Render_ExpressionTagEndingLine_KeepsTheNewline()
    {
        Assert.Equal("1\n2", Chat.Render("{{ 1 }}\n{{ 2 }}"));
    }
}
