using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal sealed record TextStatement(string Text, SourcePosition Position) : Statement(Position);
