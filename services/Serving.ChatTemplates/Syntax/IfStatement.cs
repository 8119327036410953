using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {% if %} with its {% elif %} branches in order and an optional {% else %}.
internal sealed record IfStatement(IReadOnlyList<IfBranch> Branches, IReadOnlyList<Statement> Else, SourcePosition Position)
    : Statement(Position);
