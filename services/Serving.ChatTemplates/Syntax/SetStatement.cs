using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {% set a[, b] = value %}, or {% set ns.attribute = value %} when Attribute is set (then Targets has one name).
internal sealed record SetStatement(IReadOnlyList<string> Targets, string? Attribute, Expression Value, SourcePosition Position)
    : Statement(Position);
