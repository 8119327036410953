using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// target[index]
internal sealed record ItemExpression(Expression Target, Expression Index, SourcePosition Position) : Expression(Position);
