using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// [a, b] or a tuple (a, b); tuples evaluate to lists.
internal sealed record ListExpression(IReadOnlyList<Expression> Items, SourcePosition Position) : Expression(Position);
