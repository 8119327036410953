using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// [a, b], or a tuple (a, b) when IsTuple.
internal sealed record ListExpression(IReadOnlyList<Expression> Items, SourcePosition Position, bool IsTuple = false) : Expression(Position);
