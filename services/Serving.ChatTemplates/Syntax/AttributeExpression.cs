using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// target.name
internal sealed record AttributeExpression(Expression Target, string Name, SourcePosition Position) : Expression(Position);
