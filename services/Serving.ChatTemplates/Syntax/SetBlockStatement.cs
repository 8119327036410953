using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {% set name %}body{% endset %}: the rendered body becomes a string variable.
internal sealed record SetBlockStatement(string Target, IReadOnlyList<Statement> Body, SourcePosition Position) : Statement(Position);
