using Serving.ChatTemplates.Lexing;
using Serving.ChatTemplates.Syntax;

namespace Serving.ChatTemplates.Parsing;

// Statements and tags; expressions are left to ExpressionParser.
internal sealed class Parser
{
    // Tags jinja2 has that this subset leaves out, named in the error instead of "unknown tag".
    private static readonly HashSet<string> KnownTags =
        ["call", "filter", "include", "import", "from", "extends", "block", "raw", "with", "do", "autoescape", "trans"];

    private readonly TokenReader reader;
    private readonly ExpressionParser expressions;
    private readonly NestingGuard nesting;
    private int loopDepth;

    private Parser(IReadOnlyList<Token> tokens, int maxNesting)
    {
        reader = new TokenReader(tokens);
        nesting = new NestingGuard(maxNesting);
        expressions = new ExpressionParser(reader, nesting);
    }

    public static IReadOnlyList<Statement> Parse(string source, int maxNesting)
    {
        var parser = new Parser(Lexer.Tokenize(source), maxNesting);
        var (body, _) = parser.ParseBody(parser.reader.Current.Position);
        return body;
    }

    // Reads statements until one of the end tags (consumed, and returned) or the end of the template.
    private (List<Statement> Body, string EndTag) ParseBody(SourcePosition opener, params string[] endTags)
    {
        nesting.Enter(opener);
        try
        {
            return ParseStatements(opener, endTags);
        }
        finally
        {
            nesting.Exit();
        }
    }

    private (List<Statement> Body, string EndTag) ParseStatements(SourcePosition opener, string[] endTags)
    {
        var body = new List<Statement>();
        while (true)
        {
            var token = reader.Current;
            switch (token.Kind)
            {
                case TokenKind.Text:
                    body.Add(new TextStatement(token.Text, token.Position));
                    reader.Next();
                    break;
                case TokenKind.VariableBegin:
                    reader.Next();
                    body.Add(new OutputStatement(expressions.ParseTuple(), token.Position));
                    reader.Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    var name = reader.Peek();
                    if (name.Kind == TokenKind.Name && endTags.Contains(name.Text))
                    {
                        reader.Next();
                        reader.Next();
                        return (body, name.Text);
                    }

                    body.AddRange(ParseTag());
                    break;
                case TokenKind.End when endTags.Length == 0:
                    return (body, "");
                case TokenKind.End:
                    throw opener.Error($"the tag opened here is never closed with '{{% {endTags[^1]} %}}'");
                default:
                    throw token.Position.Error($"unexpected {token.Describe()}");
            }
        }
    }

    private IEnumerable<Statement> ParseTag()
    {
        var open = reader.Next();
        var tag = reader.Expect(TokenKind.Name);
        switch (tag.Text)
        {
            case "if":
                return [ParseIf(open.Position)];
            case "for":
                return [ParseFor(open.Position)];
            case "set":
                return [ParseSet(open.Position)];
            case "macro":
                return [ParseMacro(open.Position)];
            case "break" or "continue":
                if (loopDepth == 0)
                    throw tag.Position.Error($"'{tag.Text}' is only allowed inside a for loop");
                reader.Expect(TokenKind.BlockEnd);
                return [new LoopControlStatement(tag.Text == "break", open.Position)];
            case "generation":
                // HF's {% generation %} marks assistant text for training masks; it renders its body unchanged.
                reader.Expect(TokenKind.BlockEnd);
                var (body, _) = ParseBody(open.Position, "endgeneration");
                reader.Expect(TokenKind.BlockEnd);
                return body;
            case var name when KnownTags.Contains(name):
                throw tag.Position.Error($"the tag '{name}' is not supported");
            case var name when name.StartsWith("end", StringComparison.Ordinal) || name is "else" or "elif":
                throw tag.Position.Error($"unexpected tag '{name}'");
            default:
                throw tag.Position.Error($"the tag '{tag.Text}' is not supported");
        }
    }

    private IfStatement ParseIf(SourcePosition position)
    {
        var branches = new List<IfBranch>();
        while (true)
        {
            var condition = expressions.ParseTuple();
            reader.Expect(TokenKind.BlockEnd);
            var (body, end) = ParseBody(position, "elif", "else", "endif");
            branches.Add(new IfBranch(condition, body));
            if (end == "elif")
                continue;

            List<Statement> otherwise = [];
            if (end == "else")
            {
                reader.Expect(TokenKind.BlockEnd);
                (otherwise, _) = ParseBody(position, "endif");
            }

            reader.Expect(TokenKind.BlockEnd);
            return new IfStatement(branches, otherwise, position);
        }
    }

    private ForStatement ParseFor(SourcePosition position)
    {
        var targets = ParseTargetNames();
        reader.Expect(TokenKind.Name, "in");
        var iterable = expressions.ParseExpression(allowConditional: false);
        var filter = reader.SkipName("if") ? expressions.ParseExpression() : null;
        if (reader.Current.IsName("recursive"))
            throw reader.Current.Position.Error("recursive for loops are not supported");
        reader.Expect(TokenKind.BlockEnd);

        loopDepth++;
        var (body, end) = ParseBody(position, "else", "endfor");
        loopDepth--;
        List<Statement> otherwise = [];
        if (end == "else")
        {
            reader.Expect(TokenKind.BlockEnd);
            (otherwise, _) = ParseBody(position, "endfor");
        }

        reader.Expect(TokenKind.BlockEnd);
        return new ForStatement(targets, iterable, filter, body, otherwise, position);
    }

    private Statement ParseSet(SourcePosition position)
    {
        var first = reader.Current;
        if (reader.Peek().IsOperator("."))
        {
            reader.Next();
            reader.Next();
            var attribute = reader.Expect(TokenKind.Name).Text;
            reader.Expect(TokenKind.Operator, "=");
            var value = expressions.ParseTuple();
            reader.Expect(TokenKind.BlockEnd);
            return new SetStatement([first.Text], attribute, value, position);
        }

        var targets = ParseTargetNames();
        if (reader.SkipOperator("="))
        {
            var value = expressions.ParseTuple();
            reader.Expect(TokenKind.BlockEnd);
            return new SetStatement(targets, null, value, position);
        }

        if (targets.Count != 1)
            throw first.Position.Error("a block set takes exactly one name");
        if (reader.Current.IsOperator("|"))
            throw reader.Current.Position.Error("filters on a block set are not supported");
        reader.Expect(TokenKind.BlockEnd);
        var (body, _) = ParseBody(position, "endset");
        reader.Expect(TokenKind.BlockEnd);
        return new SetBlockStatement(targets[0], body, position);
    }

    private MacroStatement ParseMacro(SourcePosition position)
    {
        var name = reader.Expect(TokenKind.Name).Text;
        reader.Expect(TokenKind.Operator, "(");
        var parameters = new List<MacroParameter>();
        while (!reader.SkipOperator(")"))
        {
            if (parameters.Count > 0)
                reader.Expect(TokenKind.Operator, ",");
            var parameter = reader.Expect(TokenKind.Name).Text;
            parameters.Add(new MacroParameter(parameter, reader.SkipOperator("=") ? expressions.ParseExpression() : null));
        }

        reader.Expect(TokenKind.BlockEnd);
        // Macros are not loops: break/continue inside one are errors even when it is defined in a loop.
        var depth = loopDepth;
        loopDepth = 0;
        var (body, _) = ParseBody(position, "endmacro");
        loopDepth = depth;
        reader.Expect(TokenKind.BlockEnd);
        return new MacroStatement(name, parameters, body, position);
    }

    // "a", "a, b" or "(a, b)".
    private List<string> ParseTargetNames()
    {
        var parenthesized = reader.SkipOperator("(");
        var names = new List<string> { reader.Expect(TokenKind.Name).Text };
        while (reader.SkipOperator(","))
            names.Add(reader.Expect(TokenKind.Name).Text);
        if (parenthesized)
            reader.Expect(TokenKind.Operator, ")");
        return names;
    }
}
