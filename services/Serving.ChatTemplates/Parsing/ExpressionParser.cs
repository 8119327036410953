using Serving.ChatTemplates.Evaluation;
using Serving.ChatTemplates.Lexing;
using Serving.ChatTemplates.Syntax;

namespace Serving.ChatTemplates.Parsing;

// Recursive descent with jinja2's precedence: conditional, or, and, not, comparison, + -, ~, * / // %, **,
// unary, then postfix (. [] ()) and filters/tests, which bind tighter than any binary operator.
// Every way back into ParseExpression, "not" and prefix "-"/"+" pass the nesting guard.
internal sealed class ExpressionParser(TokenReader reader, NestingGuard nesting)
{
    private static readonly Dictionary<string, BinaryOperator> Comparisons = new()
    {
        ["=="] = BinaryOperator.Equal,
        ["!="] = BinaryOperator.NotEqual,
        ["<"] = BinaryOperator.Less,
        ["<="] = BinaryOperator.LessOrEqual,
        [">"] = BinaryOperator.Greater,
        [">="] = BinaryOperator.GreaterOrEqual,
    };

    // "a, b" without brackets is a tuple, as in {% set a, b = 1, 2 %}.
    public Expression ParseTuple()
    {
        var first = ParseExpression();
        if (!reader.Current.IsOperator(","))
            return first;
        var items = new List<Expression> { first };
        while (reader.SkipOperator(",") && !EndsTuple(reader.Current))
            items.Add(ParseExpression());
        return new ListExpression(items, first.Position, IsTuple: true);
    }

    public Expression ParseExpression(bool allowConditional = true)
    {
        nesting.Enter(reader.Current.Position);
        try
        {
            return ParseConditional(allowConditional);
        }
        finally
        {
            nesting.Exit();
        }
    }

    private Expression ParseConditional(bool allowConditional)
    {
        var value = ParseOr();
        if (!allowConditional || !reader.Current.IsName("if"))
            return value;
        var at = reader.Next().Position;
        var condition = ParseOr();
        var otherwise = reader.SkipName("else") ? ParseExpression() : null;
        return new ConditionalExpression(condition, value, otherwise, at);
    }

    private Expression ParseOr() => ParseLeftAssociative(ParseAnd, t => t.IsName("or") ? BinaryOperator.Or : null);

    private Expression ParseAnd() => ParseLeftAssociative(ParseNot, t => t.IsName("and") ? BinaryOperator.And : null);

    private Expression ParseNot()
    {
        if (!reader.Current.IsName("not"))
            return ParseComparison();
        var at = reader.Next().Position;
        nesting.Enter(at);
        try
        {
            return new UnaryExpression(UnaryOperator.Not, ParseNot(), at);
        }
        finally
        {
            nesting.Exit();
        }
    }

    // Chains like a < b < c mean a < b and b < c, as in Python.
    private Expression ParseComparison()
    {
        var left = ParseAdditive();
        Expression? result = null;
        while (TryComparisonOperator(out var op, out var at))
        {
            var right = ParseAdditive();
            var comparison = new BinaryExpression(op, left, right, at);
            result = result == null ? comparison : new BinaryExpression(BinaryOperator.And, result, comparison, at);
            left = right;
        }

        return result ?? left;
    }

    private bool TryComparisonOperator(out BinaryOperator op, out SourcePosition at)
    {
        var token = reader.Current;
        at = token.Position;
        if (token.Kind == TokenKind.Operator && Comparisons.TryGetValue(token.Text, out op))
        {
            reader.Next();
            return true;
        }

        op = BinaryOperator.In;
        if (token.IsName("in"))
        {
            reader.Next();
            return true;
        }

        if (token.IsName("not") && reader.Peek().IsName("in"))
        {
            reader.Next();
            reader.Next();
            op = BinaryOperator.NotIn;
            return true;
        }

        return false;
    }

    private Expression ParseAdditive() => ParseLeftAssociative(ParseConcat, t => t.Kind != TokenKind.Operator ? null : t.Text switch
    {
        "+" => BinaryOperator.Add,
        "-" => BinaryOperator.Subtract,
        _ => null,
    });

    private Expression ParseConcat() => ParseLeftAssociative(ParseMultiplicative, t => t.IsOperator("~") ? BinaryOperator.Concat : null);

    private Expression ParseMultiplicative() => ParseLeftAssociative(ParsePower, t => t.Kind != TokenKind.Operator ? null : t.Text switch
    {
        "*" => BinaryOperator.Multiply,
        "/" => BinaryOperator.Divide,
        "//" => BinaryOperator.FloorDivide,
        "%" => BinaryOperator.Modulo,
        _ => null,
    });

    private Expression ParsePower() => ParseLeftAssociative(() => ParseUnary(), t => t.IsOperator("**") ? BinaryOperator.Power : null);

    private Expression ParseLeftAssociative(Func<Expression> operand, Func<Token, BinaryOperator?> match)
    {
        var left = operand();
        while (match(reader.Current) is { } op)
        {
            var at = reader.Next().Position;
            left = new BinaryExpression(op, left, operand(), at);
        }

        return left;
    }

    // As in jinja2, "-x|abs" applies the filter to -x, while the operand of "-" takes no filters itself.
    private Expression ParseUnary(bool withFilters = true)
    {
        var token = reader.Current;
        Expression value;
        if (token.IsOperator("-") || token.IsOperator("+"))
        {
            reader.Next();
            var op = token.Text == "-" ? UnaryOperator.Negate : UnaryOperator.Plus;
            nesting.Enter(token.Position);
            try
            {
                value = new UnaryExpression(op, ParseUnary(withFilters: false), token.Position);
            }
            finally
            {
                nesting.Exit();
            }
        }
        else
        {
            value = ParsePrimary();
        }

        value = ParsePostfix(value);
        return withFilters ? ParseFiltersAndTests(value) : value;
    }

    private Expression ParsePrimary()
    {
        var token = reader.Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpression(true, token.Position),
                    "false" or "False" => new LiteralExpression(false, token.Position),
                    "none" or "None" => new LiteralExpression(null, token.Position),
                    _ => new NameExpression(token.Text, token.Position),
                };
            case TokenKind.String:
                var text = (string)token.Value!;
                while (reader.Current.Kind == TokenKind.String)
                    text += (string)reader.Next().Value!;
                return new LiteralExpression(text, token.Position);
            case TokenKind.Integer or TokenKind.Float:
                return new LiteralExpression(token.Value, token.Position);
            case TokenKind.Operator when token.Text == "(":
                return ParseParenthesized(token);
            case TokenKind.Operator when token.Text == "[":
                var items = ParseSequence("]", () => ParseExpression());
                return new ListExpression(items, token.Position);
            case TokenKind.Operator when token.Text == "{":
                var entries = ParseSequence("}", () =>
                {
                    var key = ParseExpression();
                    reader.Expect(TokenKind.Operator, ":");
                    return KeyValuePair.Create(key, ParseExpression());
                });
                return new DictExpression(entries, token.Position);
            default:
                throw token.Position.Error($"unexpected {token.Describe()} in an expression");
        }
    }

    private Expression ParseParenthesized(Token open)
    {
        if (reader.SkipOperator(")"))
            return new ListExpression([], open.Position, IsTuple: true);
        var first = ParseExpression();
        if (reader.SkipOperator(")"))
            return first;
        reader.Expect(TokenKind.Operator, ",");
        var rest = ParseSequence(")", () => ParseExpression());
        return new ListExpression([first, .. rest], open.Position, IsTuple: true);
    }

    // Comma-separated items up to and including the closing bracket; a trailing comma is allowed.
    private List<T> ParseSequence<T>(string close, Func<T> item)
    {
        var items = new List<T>();
        while (!reader.Current.IsOperator(close))
        {
            items.Add(item());
            if (!reader.SkipOperator(","))
                break;
        }

        reader.Expect(TokenKind.Operator, close);
        return items;
    }

    private Expression ParsePostfix(Expression value)
    {
        while (true)
        {
            var token = reader.Current;
            if (token.IsOperator("."))
            {
                reader.Next();
                var name = reader.Next();
                if (name.Kind is not (TokenKind.Name or TokenKind.Integer))
                    throw name.Position.Error($"expected an attribute name after '.' but found {name.Describe()}");
                value = name.Kind == TokenKind.Integer
                    ? new ItemExpression(value, new LiteralExpression(name.Value, name.Position), name.Position)
                    : new AttributeExpression(value, name.Text, name.Position);
            }
            else if (token.IsOperator("["))
            {
                reader.Next();
                value = ParseSubscript(value, token.Position);
            }
            else if (token.IsOperator("("))
            {
                value = new CallExpression(value, ParseArguments(), value.Position);
            }
            else
            {
                return value;
            }
        }
    }

    private Expression ParseSubscript(Expression target, SourcePosition at)
    {
        var start = reader.Current.IsOperator(":") ? null : ParseExpression();
        if (start != null && reader.SkipOperator("]"))
            return new ItemExpression(target, start, at);

        reader.Expect(TokenKind.Operator, ":");
        var stop = reader.Current.IsOperator("]") || reader.Current.IsOperator(":") ? null : ParseExpression();
        Expression? step = null;
        if (reader.SkipOperator(":") && !reader.Current.IsOperator("]"))
            step = ParseExpression();
        reader.Expect(TokenKind.Operator, "]");
        return new SliceExpression(target, start, stop, step, at);
    }

    private Expression ParseFiltersAndTests(Expression value)
    {
        while (true)
        {
            if (reader.SkipOperator("|"))
            {
                var name = reader.Expect(TokenKind.Name);
                if (!Filters.IsSupported(name.Text))
                    throw name.Position.Error($"the filter '{name.Text}' is not supported");
                var arguments = reader.Current.IsOperator("(") ? ParseArguments() : ArgumentList.Empty;
                value = new FilterExpression(value, name.Text, arguments, name.Position);
            }
            else if (reader.Current.IsName("is"))
            {
                reader.Next();
                var negated = reader.SkipName("not");
                var name = reader.Expect(TokenKind.Name);
                if (!Tests.IsSupported(name.Text))
                    throw name.Position.Error($"the test '{name.Text}' is not supported");
                value = new TestExpression(value, name.Text, negated, ParseTestArguments(), name.Position);
            }
            else if (reader.Current.IsOperator("("))
            {
                value = new CallExpression(value, ParseArguments(), value.Position);
            }
            else
            {
                return value;
            }
        }
    }

    // "x is divisibleby(3)", or jinja2's bare form "x is divisibleby 3" / "x is equalto 'user'".
    private ArgumentList ParseTestArguments()
    {
        var token = reader.Current;
        if (token.IsOperator("("))
            return ParseArguments();
        var startsValue = token.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
            || token.IsOperator("[") || token.IsOperator("{")
            || (token.Kind == TokenKind.Name && token.Text is not ("else" or "or" or "and" or "if" or "is" or "in" or "not"));
        if (!startsValue)
            return ArgumentList.Empty;
        return new ArgumentList([ParsePostfix(ParsePrimary())], []);
    }

    private ArgumentList ParseArguments()
    {
        reader.Expect(TokenKind.Operator, "(");
        var positional = new List<Expression>();
        var named = new List<KeyValuePair<string, Expression>>();
        ParseSequence(")", () =>
        {
            if (reader.Current.Kind == TokenKind.Name && reader.Peek().IsOperator("="))
            {
                var name = reader.Next().Text;
                reader.Next();
                named.Add(KeyValuePair.Create(name, ParseExpression()));
            }
            else if (named.Count > 0)
            {
                throw reader.Current.Position.Error("a positional argument cannot follow a keyword argument");
            }
            else
            {
                positional.Add(ParseExpression());
            }

            return 0;
        });
        return new ArgumentList(positional, named);
    }

    private static bool EndsTuple(Token token) =>
        token.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || token.IsOperator(")") || token.IsOperator("]");
}
