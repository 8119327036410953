using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal sealed record BinaryExpression(BinaryOperator Operator, Expression Left, Expression Right, SourcePosition Position)
    : Expression(Position);
