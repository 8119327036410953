namespace Serving.ChatTemplates.Lexing;

// 1-based place in the template source, carried by every token and node for error messages.
internal readonly record struct SourcePosition(int Line, int Column)
{
    public ChatTemplateException Error(string problem) => new(problem, Line, Column);
}
