using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Syntax;

internal abstract record Statement(SourcePosition Position);
