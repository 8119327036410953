using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal sealed record DictExpression(IReadOnlyList<KeyValuePair<Expression, Expression>> Entries, SourcePosition Position)
    : Expression(Position);
