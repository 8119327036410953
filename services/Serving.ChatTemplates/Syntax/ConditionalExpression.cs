using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// then if condition else otherwise; a missing else yields undefined, as in jinja2.
internal sealed record ConditionalExpression(Expression Condition, Expression Then, Expression? Otherwise, SourcePosition Position)
    : Expression(Position);
