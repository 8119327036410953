namespace Serving.ChatTemplates.Lexing;

// Text holds the literal text, name or operator; Value the decoded string or number literal.
internal sealed record Token(TokenKind Kind, string Text, object? Value, SourcePosition Position)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;

    public bool IsName(string name) => Is(TokenKind.Name, name);

    public bool IsOperator(string op) => Is(TokenKind.Operator, op);

    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the template",
        TokenKind.Text => "text",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.BlockEnd => "'%}'",
        _ => $"'{Text}'",
    };
}
