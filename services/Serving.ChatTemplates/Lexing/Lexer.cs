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

    private readonly string _source;
    private readonly List<int> _lineStarts = [0];
    private readonly List<Token> _tokens = [];
    private int _pos;
    private bool _lineStarting = true;

    private Lexer(string source)
    {
        _source = source;
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
                _lineStarts.Add(i + 1);
        }
    }

    public static IReadOnlyList<Token> Tokenize(string source)
    {
        var normalized = source.Replace("\r\n", "\n").Replace('\r', '\n');
        if (normalized.EndsWith('\n'))
            normalized = normalized[..^1];
        var lexer = new Lexer(normalized);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_pos < _source.Length)
        {
            var tagStart = FindTagStart(_pos);
            if (tagStart < 0)
            {
                AddText(_source[_pos..], _pos);
                break;
            }

            var kind = _source[tagStart + 1];
            var control = tagStart + 2 < _source.Length ? _source[tagStart + 2] : '\0';
            var text = _source[_pos..tagStart];
            if (control == '-')
                text = text.TrimEnd();
            else if (control != '+' && kind != '{')
                text = StripLineIndent(text);
            AddText(text, _pos);

            _pos = tagStart + 2 + (control is '-' or '+' ? 1 : 0);
            if (kind == '#')
                SkipComment(tagStart);
            else
                LexTag(tagStart, kind == '%' ? TokenKind.BlockBegin : TokenKind.VariableBegin);
        }

        _tokens.Add(new Token(TokenKind.End, "", null, PositionAt(_source.Length)));
    }

    private int FindTagStart(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
                return i;
        }

        return -1;
    }

    // lstrip_blocks: spaces and tabs between a line start and a block or comment tag are dropped.
    private string StripLineIndent(string text)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !_lineStarting)
            return text;
        var indent = text.AsSpan(lineStart);
        return indent.Length > 0 && indent.IsWhiteSpace() ? text[..lineStart] : text;
    }

    private void AddText(string text, int offset)
    {
        if (text.Length > 0)
            _tokens.Add(new Token(TokenKind.Text, text, text, PositionAt(offset)));
    }

    private void SkipComment(int tagStart)
    {
        var end = _source.IndexOf("#}", _pos, StringComparison.Ordinal);
        if (end < 0)
            throw PositionAt(tagStart).Error("the comment is not closed with '#}'");
        _pos = end + 2;
        AfterTagEnd(stripAll: end > 0 && _source[end - 1] == '-', trimNewline: true);
    }

    private void LexTag(int tagStart, TokenKind begin)
    {
        _tokens.Add(new Token(begin, begin == TokenKind.BlockBegin ? "{%" : "{{", null, PositionAt(tagStart)));
        var closer = begin == TokenKind.BlockBegin ? "%}" : "}}";
        var braces = 0;
        while (true)
        {
            while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos]))
                _pos++;
            if (_pos >= _source.Length)
                throw PositionAt(tagStart).Error($"the tag is not closed with '{closer}'");
            if (braces == 0 && TryLexTagEnd(begin, closer))
                return;

            var c = _source[_pos];
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
        var at = _pos;
        var control = _source[_pos] is '-' or '+' ? _source[_pos] : '\0';
        var start = control == '\0' ? _pos : _pos + 1;
        if (string.CompareOrdinal(_source, start, closer, 0, 2) != 0)
            return false;
        _pos = start + 2;
        var end = begin == TokenKind.BlockBegin ? TokenKind.BlockEnd : TokenKind.VariableEnd;
        _tokens.Add(new Token(end, closer, null, PositionAt(at)));
        AfterTagEnd(stripAll: control == '-', trimNewline: begin == TokenKind.BlockBegin && control != '+');
        return true;
    }

    // "-%}" eats all following whitespace; trim_blocks eats one newline after a block or comment.
    private void AfterTagEnd(bool stripAll, bool trimNewline)
    {
        if (stripAll)
        {
            while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos]))
                _pos++;
        }
        else if (trimNewline && _pos < _source.Length && _source[_pos] == '\n')
        {
            _pos++;
        }

        _lineStarting = _pos > 0 && _source[_pos - 1] == '\n';
    }

    private void LexName()
    {
        var start = _pos;
        while (_pos < _source.Length && (char.IsAsciiLetterOrDigit(_source[_pos]) || _source[_pos] == '_'))
            _pos++;
        var name = _source[start.._pos];
        _tokens.Add(new Token(TokenKind.Name, name, name, PositionAt(start)));
    }

    private void LexNumber()
    {
        var start = _pos;
        var isFloat = false;
        SkipDigits();
        if (_pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            SkipDigits();
        }

        if (_pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            var mark = _pos++;
            if (_pos < _source.Length && _source[_pos] is '+' or '-')
                _pos++;
            if (_pos < _source.Length && char.IsAsciiDigit(_source[_pos]))
            {
                isFloat = true;
                SkipDigits();
            }
            else
            {
                _pos = mark;
            }
        }

        var text = _source[start.._pos].Replace("_", "");
        object value;
        if (isFloat)
            value = double.Parse(text, CultureInfo.InvariantCulture);
        else if (long.TryParse(text, CultureInfo.InvariantCulture, out var integer))
            value = integer;
        else
            throw PositionAt(start).Error($"the integer {text} is too large");
        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, value, PositionAt(start)));
    }

    private void SkipDigits()
    {
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) || _source[_pos] == '_'))
            _pos++;
    }

    private void LexString(char quote)
    {
        var start = _pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= _source.Length)
                throw PositionAt(start).Error("the string literal is not closed");
            var c = _source[_pos++];
            if (c == quote)
                break;
            if (c != '\\' || _pos >= _source.Length)
            {
                value.Append(c);
                continue;
            }

            value.Append(Unescape(_source[_pos++]));
        }

        _tokens.Add(new Token(TokenKind.String, _source[start.._pos], value.ToString(), PositionAt(start)));
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
        if (_pos + digits > _source.Length
            || !int.TryParse(_source.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
        {
            throw PositionAt(_pos).Error("the string literal has a malformed \\x, \\u or \\U escape");
        }

        _pos += digits;
        return char.ConvertFromUtf32(code);
    }

    private int LexOperator()
    {
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(_source, _pos, op, 0, op.Length) != 0)
                continue;
            _tokens.Add(new Token(TokenKind.Operator, op, null, PositionAt(_pos)));
            _pos += op.Length;
            return op == "{" ? 1 : op == "}" ? -1 : 0;
        }

        throw PositionAt(_pos).Error($"unexpected character '{_source[_pos]}'");
    }

    private SourcePosition PositionAt(int offset)
    {
        var line = _lineStarts.BinarySearch(offset);
        if (line < 0)
            line = ~line - 1;
        return new SourcePosition(line + 1, offset - _lineStarts[line] + 1);
    }
}
