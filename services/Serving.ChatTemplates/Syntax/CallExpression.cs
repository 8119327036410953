using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal sealed record CallExpression(Expression Callee, ArgumentList Arguments, SourcePosition Position) : Expression(Position);
