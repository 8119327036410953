namespace Serving.ChatTemplates.Syntax;

internal sealed record MacroParameter(string Name, Expression? Default);
