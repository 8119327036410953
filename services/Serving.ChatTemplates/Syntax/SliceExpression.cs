using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// target[start:stop:step], each part optional.
internal sealed record SliceExpression(Expression Target, Expression? Start, Expression? Stop, Expression? Step, SourcePosition Position)
    : Expression(Position);
