using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Parsing;

// A cursor over the token list; the last token is always End, so Peek never runs off.
internal sealed class TokenReader(IReadOnlyList<Token> tokens)
{
    private int index;

    public Token Current => tokens[index];

    public Token Peek(int ahead = 1) => tokens[Math.Min(index + ahead, tokens.Count - 1)];

    public Token Next()
    {
        var token = tokens[index];
        if (index < tokens.Count - 1)
            index++;
        return token;
    }

    public bool SkipName(string name) => Skip(Current.IsName(name));

    public bool SkipOperator(string op) => Skip(Current.IsOperator(op));

    public Token Expect(TokenKind kind, string? text = null)
    {
        if (Current.Kind != kind || (text != null && Current.Text != text))
        {
            var wanted = text != null ? $"'{text}'" : kind switch
            {
                TokenKind.Name => "a name",
                TokenKind.BlockEnd => "'%}'",
                TokenKind.VariableEnd => "'}}'",
                _ => kind.ToString(),
            };
            throw Current.Position.Error($"expected {wanted} but found {Current.Describe()}");
        }

        return Next();
    }

    private bool Skip(bool matches)
    {
        if (matches)
            Next();
        return matches;
    }
}
