namespace Serving.ChatTemplates.Syntax;

// Positional then keyword arguments of a call, filter or test.
internal sealed record ArgumentList(IReadOnlyList<Expression> Positional, IReadOnlyList<KeyValuePair<string, Expression>> Named)
{
    public static readonly ArgumentList Empty = new([], []);
}
