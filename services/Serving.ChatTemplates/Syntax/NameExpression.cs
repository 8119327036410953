using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal sealed record NameExpression(string Name, SourcePosition Position) : Expression(Position);
