using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// A string, number, true/false or none literal.
internal sealed record LiteralExpression(object? Value, SourcePosition Position) : Expression(Position);
