namespace Serving.ChatTemplates.Syntax;

internal enum UnaryOperator
{
    Not,
    Negate,
    Plus,
}
