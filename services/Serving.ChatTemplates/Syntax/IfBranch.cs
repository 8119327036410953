namespace Serving.ChatTemplates.Syntax;

internal sealed record IfBranch(Expression Condition, IReadOnlyList<Statement> Body);
