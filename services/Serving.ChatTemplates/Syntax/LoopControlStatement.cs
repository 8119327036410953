using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

// {% break %} or {% continue %} (HF enables jinja2.ext.loopcontrols).
internal sealed record LoopControlStatement(bool IsBreak, SourcePosition Position) : Statement(Position);
