using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// target | name(arguments)
internal sealed record FilterExpression(Expression Target, string Name, ArgumentList Arguments, SourcePosition Position)
    : Expression(Position);
