using System.Globalization;
using System.Text;

namespace Serving.ChatTemplates.Lexing;

// Splits a template into text and tag tokens with Hugging Face's settings: trim_blocks and lstrip_blocks on,
// newlines normalized to \n and one trailing newline dropped (jinja2's keep_trailing_newline=False).
internal sealed class Lexer
{
    // Longest first, so "//" wins over "/".
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    private readonly string source;
    private readonly List<int> lineStarts = [0];
    private readonly List<Token> tokens = [];
    private int pos;
    private bool lineStarting = true;

    private Lexer(string source)
    {
        this.source = source;
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
                lineStarts.Add(i + 1);
        }
    }

    public static IReadOnlyList<Token> Tokenize(string source)
    {
        var normalized = source.Replace("\r\n", "\n").Replace('\r', '\n');
        if (normalized.EndsWith('\n'))
            normalized = normalized[..^1];
        var lexer = new Lexer(normalized);
        lexer.Run();
        return lexer.tokens;
    }

    private void Run()
    {
        while (pos < source.Length)
        {
            var tagStart = FindTagStart(pos);
            if (tagStart < 0)
            {
                AddText(source[pos..], pos);
                break;
            }

            var kind = source[tagStart + 1];
            var control = tagStart + 2 < source.Length ? source[tagStart + 2] : '\0';
            var text = source[pos..tagStart];
            if (control == '-')
                text = text.TrimEnd();
            else if (control != '+' && kind != '{')
                text = StripLineIndent(text);
            AddText(text, pos);

            pos = tagStart + 2 + (control is '-' or '+' ? 1 : 0);
            if (kind == '#')
                SkipComment(tagStart);
            else
                LexTag(tagStart, kind == '%' ? TokenKind.BlockBegin : TokenKind.VariableBegin);
        }

        tokens.Add(new Token(TokenKind.End, "", null, PositionAt(source.Length)));
    }

    private int FindTagStart(int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
        {
            if (source[i + 1] is '{' or '%' or '#')
                return i;
        }

        return -1;
    }

    // lstrip_blocks: spaces and tabs between a line start and a block or comment tag are dropped.
    private string StripLineIndent(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !lineStarting)
            return text;
        var indent = text.AsSpan(lineStart);
        return indent.Length > 0 && indent.IsWhiteSpace() ? text[..lineStart] : text;
    }

    private void AddText(string text, int offset)
    {
        if (text.Length > 0)
            tokens.Add(new Token(TokenKind.Text, text, text, PositionAt(offset)));
    }

    private void SkipComment(int tagStart)
    {
        var end = source.IndexOf("#}", pos, StringComparison.Ordinal);
        if (end < 0)
            throw PositionAt(tagStart).Error("the comment is not closed with '#}'");
        pos = end + 2;
        AfterTagEnd(stripAll: end > 0 && source[end - 1] == '-', trimNewline: true);
    }

    private void LexTag(int tagStart, TokenKind begin)
    {
        tokens.Add(new Token(begin, begin == TokenKind.BlockBegin ? "{%" : "{{", null, PositionAt(tagStart)));
        var closer = begin == TokenKind.BlockBegin ? "%}" : "}}";
        var braces = 0;
        while (true)
        {
            while (pos < source.Length && char.IsWhiteSpace(source[pos]))
                pos++;
            if (pos >= source.Length)
                throw PositionAt(tagStart).Error($"the tag is not closed with '{closer}'");
            if (braces == 0 && TryLexTagEnd(begin, closer))
                return;

            var c = source[pos];
            if (char.IsAsciiLetter(c) || c == '_')
                LexName();
            else if (char.IsAsciiDigit(c))
                LexNumber();
            else if (c is '\'' or '"')
                LexString(c);
            else
                braces += LexOperator();
        }
    }

    private bool TryLexTagEnd(TokenKind begin, string closer)
    {
        var at = pos;
        var control = source[pos] is '-' or '+' ? source[pos] : '\0';
        var start = control == '\0' ? pos : pos + 1;
        if (string.CompareOrdinal(source, start, closer, 0, 2) != 0)
            return false;
        pos = start + 2;
        var end = begin == TokenKind.BlockBegin ? TokenKind.BlockEnd : TokenKind.VariableEnd;
        tokens.Add(new Token(end, closer, null, PositionAt(at)));
        AfterTagEnd(stripAll: control == '-', trimNewline: begin == TokenKind.BlockBegin && control != '+');
        return true;
    }

    // "-%}" eats all following whitespace; trim_blocks eats one newline after a block or comment.
    private void AfterTagEnd(bool stripAll, bool trimNewline)
    {
        if (stripAll)
        {
            while (pos < source.Length && char.IsWhiteSpace(source[pos]))
                pos++;
        }
        else if (trimNewline && pos < source.Length && source[pos] == '\n')
        {
            pos++;
        }

        lineStarting = pos > 0 && source[pos - 1] == '\n';
    }

    private void LexName()
    {
        var start = pos;
        while (pos < source.Length && (char.IsAsciiLetterOrDigit(source[pos]) || source[pos] == '_'))
            pos++;
        var name = source[start..pos];
        tokens.Add(new Token(TokenKind.Name, name, name, PositionAt(start)));
    }

    private void LexNumber()
    {
        var start = pos;
        var isFloat = false;
        SkipDigits();
        if (pos + 1 < source.Length && source[pos] == '.' && char.IsAsciiDigit(source[pos + 1]))
        {
            isFloat = true;
            pos++;
            SkipDigits();
        }

        if (pos < source.Length && source[pos] is 'e' or 'E')
        {
            var mark = pos++;
            if (pos < source.Length && source[pos] is '+' or '-')
                pos++;
            if (pos < source.Length && char.IsAsciiDigit(source[pos]))
            {
                isFloat = true;
                SkipDigits();
            }
            else
            {
                pos = mark;
            }
        }

        var text = source[start..pos].Replace("_", "");
        object value;
        if (isFloat)
            value = double.Parse(text, CultureInfo.InvariantCulture);
        else if (long.TryParse(text, CultureInfo.InvariantCulture, out var integer))
            value = integer;
        else
            throw PositionAt(start).Error($"the integer {text} is too large");
        tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, value, PositionAt(start)));
    }

    private void SkipDigits()
    {
        while (pos < source.Length && (char.IsAsciiDigit(source[pos]) || source[pos] == '_'))
            pos++;
    }

    private void LexString(char quote)
    {
        var start = pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (pos >= source.Length)
                throw PositionAt(start).Error("the string literal is not closed");
            var c = source[pos++];
            if (c == quote)
                break;
            if (c != '\\' || pos >= source.Length)
            {
                value.Append(c);
                continue;
            }

            value.Append(Unescape(source[pos++]));
        }

        tokens.Add(new Token(TokenKind.String, source[start..pos], value.ToString(), PositionAt(start)));
    }

    // Python's unicode-escape rules; an unknown escape keeps its backslash.
    private string Unescape(char c) => c switch
    {
        'n' => "\n",
        't' => "\t",
        'r' => "\r",
        '0' => "\0",
        'a' => "\a",
        'b' => "\b",
        'f' => "\f",
        'v' => "\v",
        '\\' or '\'' or '"' => c.ToString(),
        '\n' => "",
        'x' => ReadHex(2),
        'u' => ReadHex(4),
        'U' => ReadHex(8),
        _ => "\\" + c,
    };

    private string ReadHex(int digits)
    {
        if (pos + digits > source.Length
            || !int.TryParse(source.AsSpan(pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
        {
            throw PositionAt(pos).Error("the string literal has a malformed \\x, \\u or \\U escape");
        }

        pos += digits;
        return char.ConvertFromUtf32(code);
    }

    private int LexOperator()
    {
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(source, pos, op, 0, op.Length) != 0)
                continue;
            tokens.Add(new Token(TokenKind.Operator, op, null, PositionAt(pos)));
            pos += op.Length;
            return op == "{" ? 1 : op == "}" ? -1 : 0;
        }

        throw PositionAt(pos).Error($"unexpected character '{source[pos]}'");
    }

    private SourcePosition PositionAt(int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
            line = ~line - 1;
        return new SourcePosition(line + 1, offset - lineStarts[line] + 1);
    }
}
