using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {{ expression }}
internal sealed record OutputStatement(Expression Value, SourcePosition Position) : Statement(Position);
