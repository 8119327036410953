using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {% for a[, b] in iterable [if filter] %} body {% else %} else-body {% endfor %}
internal sealed record ForStatement(
    IReadOnlyList<string> Targets,
    Expression Iterable,
    Expression? Filter,
    IReadOnlyList<Statement> Body,
    IReadOnlyList<Statement> Else,
    SourcePosition Position) : Statement(Position);
