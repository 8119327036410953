using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {% macro name(a, b=default) %}body{% endmacro %}: defines a function that renders its body.
internal sealed record MacroStatement(
    string Name,
    IReadOnlyList<MacroParameter> Parameters,
    IReadOnlyList<Statement> Body,
    SourcePosition Position) : Statement(Position);
