using System.Globalization;
using System.Text;

namespace Serving.ChatTemplates.Evaluation;

// Python's str() and repr(), which is what {{ value }}, |string and ~ produce.
internal static class PyText
{
    public static string Str(object? value) => value switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(value),
    };

    // Containers are written into one builder, each level a level of nesting and each item checked against the output
    // limit, so a list of a million copies of a long string, or a namespace that holds itself, stops with a limit error.
    public static string Repr(object? value)
    {
        var output = new StringBuilder();
        AppendRepr(output, value, BudgetState.Current);
        return output.ToString();
    }

    // str.join and the join filter: each piece is checked before it is added, so the result stays within the output limit.
    public static string Join(string separator, IEnumerable<object?> items)
    {
        var budget = BudgetState.Current;
        var output = new StringBuilder();
        var first = true;
        foreach (var item in items)
        {
            var piece = Str(item);
            budget.CheckLength((long)output.Length + (first ? 0 : separator.Length) + piece.Length);
            if (!first)
                output.Append(separator);
            output.Append(piece);
            first = false;
        }

        return output.ToString();
    }

    private static void AppendRepr(StringBuilder output, object? value, BudgetState budget)
    {
        switch (value)
        {
            case TupleValue { Count: 1 } tuple:
                AppendItems(output, "(", ",)", tuple, budget, item => AppendRepr(output, item, budget));
                break;
            case TupleValue tuple:
                AppendItems(output, "(", ")", tuple, budget, item => AppendRepr(output, item, budget));
                break;
            case List<object?> list:
                AppendItems(output, "[", "]", list, budget, item => AppendRepr(output, item, budget));
                break;
            case OrderedDictionary<string, object?> dict:
                AppendItems(output, "{", "}", dict, budget, entry =>
                {
                    output.Append(QuoteString(entry.Key)).Append(": ");
                    AppendRepr(output, entry.Value, budget);
                });
                break;
            case Namespace ns:
                output.Append("<Namespace ");
                AppendRepr(output, new OrderedDictionary<string, object?>(ns.Attributes), budget);
                output.Append('>');
                break;
            default:
                output.Append(ScalarRepr(value));
                break;
        }

        budget.CheckLength(output.Length);
    }

    private static void AppendItems<T>(StringBuilder output, string open, string close, IEnumerable<T> items, BudgetState budget, Action<T> appendItem)
    {
        budget.Enter();
        try
        {
            output.Append(open);
            var first = true;
            foreach (var item in items)
            {
                if (!first)
                    output.Append(", ");
                first = false;
                appendItem(item);
            }

            output.Append(close);
        }
        finally
        {
            budget.Exit();
        }
    }

    private static string ScalarRepr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        string s => QuoteString(s),
        Undefined => "Undefined",
        BuiltinFunction f => $"<built-in function {f.Name}>",
        _ => "<" + PyValue.TypeName(value) + ">",
    };

    // float.__repr__: the shortest round-trip digits, fixed notation for exponents -4..15, else d.ddde+XX.
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";
        if (value == 0)
            return double.IsNegative(value) ? "-0.0" : "0.0";

        var (digits, exponent) = ShortestDigits(Math.Abs(value));
        var sign = value < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16)
        {
            var mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        if (exponent < 0)
            return sign + "0." + new string('0', -exponent - 1) + digits;
        var whole = digits.PadRight(exponent + 1, '0');
        var fraction = digits.Length > exponent + 1 ? digits[(exponent + 1)..] : "0";
        return sign + whole[..(exponent + 1)] + "." + fraction;
    }

    // Significant digits and decimal exponent of .NET's shortest round-trip form ("R").
    private static (string Digits, int Exponent) ShortestDigits(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E');
        if (e >= 0)
        {
            var mantissa = text[..e].Replace(".", "").TrimEnd('0');
            return (mantissa.Length == 0 ? "0" : mantissa, int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture));
        }

        var point = text.IndexOf('.');
        var integer = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        if (integer != "0")
            return ((integer + fraction).TrimEnd('0') is { Length: > 0 } d ? d : "0", integer.Length - 1);
        var zeros = fraction.Length - fraction.TrimStart('0').Length;
        return (fraction[zeros..].TrimEnd('0'), -(zeros + 1));
    }

    // repr(str): single quotes unless the text has ' and no ", with Python's escapes.
    private static string QuoteString(string value)
    {
        var quote = value.Contains('\'') && !value.Contains('"') ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(@"\t"); break;
                case var q when q == quote: builder.Append('\\').Append(q); break;
                case < ' ' or '\x7f': builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append(quote).ToString();
    }
}
