using System.Globalization;
using System.Text;

namespace Serving.ChatTemplates.Evaluation;

// HF's tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False), keys in insertion order.
internal sealed class JsonText
{
    private readonly StringBuilder _out = new();
    private readonly string? _indent;
    private readonly string _itemSeparator;
    private readonly string _keySeparator;
    private readonly bool _ensureAscii;
    private readonly bool _sortKeys;

    private JsonText(Arguments arguments)
    {
        _ensureAscii = PyValue.IsTruthy(arguments.Get(0, "ensure_ascii", false));
        _indent = arguments.Get(1, "indent") switch
        {
            null or Undefined => null,
            string s => s,
            var n => new string(' ', (int)Math.Max(0, PyValue.ToInteger(n))),
        };
        (_itemSeparator, _keySeparator) = _indent == null ? (", ", ": ") : (",", ": ");
        if (arguments.Get(2, "separators") is List<object?> { Count: 2 } separators)
            (_itemSeparator, _keySeparator) = (PyText.Str(separators[0]), PyText.Str(separators[1]));
        _sortKeys = PyValue.IsTruthy(arguments.Get(3, "sort_keys", false));
    }

    public static string Serialize(object? value, Arguments arguments)
    {
        var writer = new JsonText(arguments);
        writer.Write(value, 0);
        return writer._out.ToString();
    }

    private void Write(object? value, int depth)
    {
        switch (value)
        {
            case null: _out.Append("null"); break;
            case bool b: _out.Append(b ? "true" : "false"); break;
            case long n: _out.Append(n.ToString(CultureInfo.InvariantCulture)); break;
            case double d: _out.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PyText.FormatFloat(d)); break;
            case string s: WriteString(s); break;
            case List<object?> list: WriteContainer('[', ']', list, depth, item => Write(item, depth + 1)); break;
            case OrderedDictionary<string, object?> dict:
                var entries = _sortKeys ? dict.OrderBy(e => e.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                WriteContainer('{', '}', entries, depth, entry =>
                {
                    WriteString(entry.Key);
                    _out.Append(_keySeparator);
                    Write(entry.Value, depth + 1);
                });
                break;
            default: throw new TemplateError($"Object of type {PyValue.TypeName(value)} is not JSON serializable");
        }
    }

    private void WriteContainer<T>(char open, char close, IReadOnlyList<T> items, int depth, Action<T> writeItem)
    {
        _out.Append(open);
        if (items.Count == 0)
        {
            _out.Append(close);
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
                _out.Append(_itemSeparator);
            NewLine(depth + 1);
            writeItem(items[i]);
        }

        NewLine(depth);
        _out.Append(close);
    }

    private void NewLine(int depth)
    {
        if (_indent == null)
            return;
        _out.Append('\n');
        for (var i = 0; i < depth; i++)
            _out.Append(_indent);
    }

    private void WriteString(string value)
    {
        _out.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': _out.Append("\\\""); break;
                case '\\': _out.Append(@"\\"); break;
                case '\n': _out.Append(@"\n"); break;
                case '\r': _out.Append(@"\r"); break;
                case '\t': _out.Append(@"\t"); break;
                case '\b': _out.Append(@"\b"); break;
                case '\f': _out.Append(@"\f"); break;
                case < ' ':
                case > '\x7f' when _ensureAscii:
                    _out.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default: _out.Append(c); break;
            }
        }

        _out.Append('"');
    }
}
