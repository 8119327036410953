using System.Globalization;
using System.Text;

namespace Serving.ChatTemplates.Evaluation;

// HF's tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False), keys in insertion order.
// Each container is a level of nesting and the text is checked against the output limit as it grows.
internal sealed class JsonText
{
    private readonly StringBuilder output = new();
    private readonly BudgetState budget = BudgetState.Current;
    private readonly string? indent;
    private readonly string itemSeparator;
    private readonly string keySeparator;
    private readonly bool ensureAscii;
    private readonly bool sortKeys;

    private JsonText(Arguments arguments)
    {
        ensureAscii = PyValue.IsTruthy(arguments.Get(0, "ensure_ascii", false));
        indent = arguments.Get(1, "indent") switch
        {
            null or Undefined => null,
            string s => s,
            var n => Spaces(PyValue.ToInteger(n)),
        };
        (itemSeparator, keySeparator) = indent == null ? (", ", ": ") : (",", ": ");
        if (arguments.Get(2, "separators") is List<object?> { Count: 2 } separators)
            (itemSeparator, keySeparator) = (PyText.Str(separators[0]), PyText.Str(separators[1]));
        sortKeys = PyValue.IsTruthy(arguments.Get(3, "sort_keys", false));
    }

    private string Spaces(long count)
    {
        budget.CheckLength(count);
        return new string(' ', (int)Math.Max(0, count));
    }

    public static string Serialize(object? value, Arguments arguments)
    {
        var writer = new JsonText(arguments);
        writer.Write(value, 0);
        return writer.output.ToString();
    }

    private void Write(object? value, int depth)
    {
        switch (value)
        {
            case null: output.Append("null"); break;
            case bool b: output.Append(b ? "true" : "false"); break;
            case long n: output.Append(n.ToString(CultureInfo.InvariantCulture)); break;
            case double d: output.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : PyText.FormatFloat(d)); break;
            case string s: WriteString(s); break;
            case List<object?> list: WriteContainer('[', ']', list, depth, item => Write(item, depth + 1)); break;
            case OrderedDictionary<string, object?> dict:
                var entries = sortKeys ? dict.OrderBy(e => e.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                WriteContainer('{', '}', entries, depth, entry =>
                {
                    WriteString(entry.Key);
                    output.Append(keySeparator);
                    Write(entry.Value, depth + 1);
                });
                break;
            default: throw new TemplateError($"Object of type {PyValue.TypeName(value)} is not JSON serializable");
        }

        budget.CheckLength(output.Length);
    }

    private void WriteContainer<T>(char open, char close, IReadOnlyList<T> items, int depth, Action<T> writeItem)
    {
        output.Append(open);
        if (items.Count == 0)
        {
            output.Append(close);
            return;
        }

        budget.Enter();
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0)
                    output.Append(itemSeparator);
                NewLine(depth + 1);
                writeItem(items[i]);
            }
        }
        finally
        {
            budget.Exit();
        }

        NewLine(depth);
        output.Append(close);
    }

    private void NewLine(int depth)
    {
        if (indent == null)
            return;
        // The indent repeats per level, so check before writing it.
        budget.CheckLength(output.Length + ((long)indent.Length * depth));
        output.Append('\n');
        for (var i = 0; i < depth; i++)
            output.Append(indent);
    }

    private void WriteString(string value)
    {
        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append(@"\\"); break;
                case '\n': output.Append(@"\n"); break;
                case '\r': output.Append(@"\r"); break;
                case '\t': output.Append(@"\t"); break;
                case '\b': output.Append(@"\b"); break;
                case '\f': output.Append(@"\f"); break;
                case < ' ':
                case > '\x7f' when ensureAscii:
                    output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default: output.Append(c); break;
            }
        }

        output.Append('"');
    }
}
