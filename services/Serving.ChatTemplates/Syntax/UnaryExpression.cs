using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal sealed record UnaryExpression(UnaryOperator Operator, Expression Operand, SourcePosition Position) : Expression(Position);
