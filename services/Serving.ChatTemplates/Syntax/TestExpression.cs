using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// target is [not] name(arguments)
internal sealed record TestExpression(Expression Target, string Name, bool Negated, ArgumentList Arguments, SourcePosition Position)
    : Expression(Position);
