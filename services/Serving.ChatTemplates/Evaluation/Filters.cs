using System.Globalization;
using System.Text.RegularExpressions;

namespace Serving.ChatTemplates.Evaluation;

// The jinja2 filters chat templates use, with jinja2's (and HF's, for tojson) behaviour.
internal static partial class Filters
{
    private static readonly Dictionary<string, Func<object?, Arguments, object?>> All = new(StringComparer.Ordinal)
    {
        ["trim"] = (v, a) => Methods.Strip(PyText.Str(v), a.Get(0, "chars"), left: true, right: true),
        ["tojson"] = JsonText.Serialize,
        ["length"] = (v, _) => PyValue.Length(v),
        ["count"] = (v, _) => PyValue.Length(v),
        ["upper"] = (v, _) => PyText.Str(v).ToUpperInvariant(),
        ["lower"] = (v, _) => PyText.Str(v).ToLowerInvariant(),
        ["capitalize"] = (v, _) => Methods.Capitalize(PyText.Str(v)),
        ["title"] = (v, _) => string.Concat(WordBoundary().Split(PyText.Str(v)).Select(Methods.Capitalize)),
        ["replace"] = (v, a) => Methods.Replace(PyText.Str(v), a.GetString(0, "old"), a.GetString(1, "new"), a.GetInteger(2, "count", -1)),
        ["join"] = Join,
        ["first"] = (v, _) => PyValue.Iterate(v) is { Count: > 0 } items ? items[0] : new Undefined("first"),
        ["last"] = (v, _) => PyValue.Iterate(v) is { Count: > 0 } items ? items[^1] : new Undefined("last"),
        ["default"] = Default,
        ["d"] = Default,
        ["list"] = (v, _) => PyValue.Iterate(v).ToList(),
        ["string"] = (v, _) => PyText.Str(v),
        ["int"] = ToInt,
        ["float"] = ToFloat,
        ["items"] = (v, _) => Methods.Call(v is Undefined ? new OrderedDictionary<string, object?>() : v, "items", Arguments.None),
        ["selectattr"] = (v, a) => Select(v, a, byAttribute: true, keep: true),
        ["rejectattr"] = (v, a) => Select(v, a, byAttribute: true, keep: false),
        ["select"] = (v, a) => Select(v, a, byAttribute: false, keep: true),
        ["reject"] = (v, a) => Select(v, a, byAttribute: false, keep: false),
        ["map"] = Map,
        ["dictsort"] = DictSort,
        ["safe"] = (v, _) => v,
        ["escape"] = (v, _) => Escape(v),
        ["e"] = (v, _) => Escape(v),
        ["reverse"] = (v, _) => v is string s ? string.Concat(PyValue.Characters(s).AsEnumerable().Reverse()) : PyValue.Iterate(v).Reverse().ToList(),
        ["abs"] = (v, _) => Abs(v),
        ["indent"] = Indent,
        ["round"] = (v, a) => Round(PyValue.ToDouble(v), a.GetInteger(0, "precision", 0)),
    };

    public static bool IsSupported(string name) => All.ContainsKey(name);

    public static object? Apply(string name, object? value, Arguments arguments) => All[name](value, arguments);

    private static object? Default(object? value, Arguments arguments)
    {
        var useWhenFalsy = PyValue.IsTruthy(arguments.Get(1, "boolean", false));
        var missing = value is Undefined || (useWhenFalsy && !PyValue.IsTruthy(value));
        return missing ? arguments.Get(0, "default_value", "") : value;
    }

    // jinja2's indent(width=4, first=False, blank=False): pads every line after the first, skipping blank ones.
    private static string Indent(object? value, Arguments arguments)
    {
        var width = arguments.Get(0, "width", 4L);
        var source = PyText.Str(value);
        var budget = BudgetState.Current;
        var padLength = width is string text ? text.Length : Math.Max(0, PyValue.ToInteger(width));
        // The pad repeats on every line: sized before it is built.
        var lineCount = source.AsSpan().Count('\n') + 1L;
        budget.CheckRepeat(padLength, lineCount);
        budget.CheckLength(source.Length + (padLength * lineCount));
        var pad = width is string given ? given : new string(' ', (int)padLength);
        var first = PyValue.IsTruthy(arguments.Get(1, "first", false));
        var blank = PyValue.IsTruthy(arguments.Get(2, "blank", false));
        var lines = source.Split('\n');
        for (var i = first ? 0 : 1; i < lines.Length; i++)
        {
            if (blank || lines[i].Length > 0)
                lines[i] = pad + lines[i];
        }

        return string.Join('\n', lines);
    }

    // Math.Abs(long.MinValue) throws; Python would give a big integer.
    private static object Abs(object? value) => value switch
    {
        double d => (object)Math.Abs(d),
        _ when PyValue.ToInteger(value) is var n && n != long.MinValue => (object)Math.Abs(n),
        _ => throw new TemplateError("integer overflow in abs()"),
    };

    // Python's round(x, n): Math.Round takes only 0-15 digits, so more keep the value (a double has no more) and fewer
    // round to a power of ten.
    private static double Round(double value, long precision) => precision switch
    {
        > 15 => value,
        >= 0 => Math.Round(value, (int)precision, MidpointRounding.ToEven),
        < -308 => Math.CopySign(0.0, value),
        _ => Math.Round(value / Math.Pow(10, -precision), MidpointRounding.ToEven) * Math.Pow(10, -precision),
    };

    private static string Join(object? value, Arguments arguments)
    {
        var items = PyValue.Iterate(value);
        if (arguments.Get(1, "attribute") is string attribute)
            items = items.Select(item => PyValue.GetAttribute(item, attribute)).ToList();
        return PyText.Join(arguments.GetString(0, "d"), items);
    }

    private static object ToInt(object? value, Arguments arguments)
    {
        var fallback = arguments.Get(0, "default", 0L);
        return value switch
        {
            long or bool => PyValue.ToInteger(value),
            double d when double.IsFinite(d) => (long)d,
            string s when long.TryParse(s.Trim().Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => (long)d,
            _ => fallback!,
        };
    }

    private static object ToFloat(object? value, Arguments arguments)
    {
        var fallback = arguments.Get(0, "default", 0.0);
        return value switch
        {
            long or bool or double => PyValue.ToDouble(value),
            string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => fallback!,
        };
    }

    // selectattr("role", "equalto", "user"), rejectattr("tool_calls", "defined"), select("string"), reject(...).
    private static List<object?> Select(object? value, Arguments arguments, bool byAttribute, bool keep)
    {
        var attribute = byAttribute ? arguments.GetString(0, "attribute") : null;
        var rest = arguments.Skip(byAttribute ? 1 : 0);
        var test = rest.Positional.Count > 0 ? PyText.Str(rest.Positional[0]) : null;
        if (test != null && !Tests.IsSupported(test))
            throw new TemplateError($"the test '{test}' is not supported");
        var testArguments = rest.Skip(1);
        return Items(value).Where(item =>
        {
            var subject = attribute != null ? PyValue.GetAttribute(item, attribute) : item;
            var passes = test == null ? PyValue.IsTruthy(subject) : Tests.Apply(test, subject, testArguments);
            return passes == keep;
        }).ToList();
    }

    // map(attribute="name", default=...) or map("filter", arguments...).
    private static List<object?> Map(object? value, Arguments arguments)
    {
        var items = Items(value);
        if (arguments.Named.TryGetValue("attribute", out var attribute))
        {
            var name = PyText.Str(attribute);
            var hasDefault = arguments.Named.TryGetValue("default", out var fallback);
            return items.Select(item =>
            {
                var found = PyValue.GetAttribute(item, name);
                return found is Undefined && hasDefault ? fallback : found;
            }).ToList();
        }

        var filter = arguments.GetString(0, "filter");
        if (!IsSupported(filter))
            throw new TemplateError($"the filter '{filter}' is not supported");
        var filterArguments = arguments.Skip(1);
        return items.Select(item => Apply(filter, item, filterArguments)).ToList();
    }

    // jinja2's select/reject/map start with "if seq:", so none or an empty value yields nothing.
    private static IReadOnlyList<object?> Items(object? value) => PyValue.IsTruthy(value) ? PyValue.Iterate(value) : [];

    // dictsort(case_sensitive=false, by="key", reverse=false): [key, value] pairs in order.
    private static List<object?> DictSort(object? value, Arguments arguments)
    {
        if (value is not OrderedDictionary<string, object?> dict)
            throw new TemplateError($"dictsort expects a dict, not {PyValue.TypeName(value)}");
        var caseSensitive = PyValue.IsTruthy(arguments.Get(0, "case_sensitive", false));
        var byValue = arguments.GetString(1, "by", "key") == "value";
        var comparer = Comparer<object?>.Create((a, b) =>
            a is string x && b is string y && !caseSensitive ? string.CompareOrdinal(x.ToLowerInvariant(), y.ToLowerInvariant()) : PyValue.Compare(a, b));
        var pairs = dict.OrderBy(e => byValue ? e.Value : e.Key, comparer).Select(e => (object?)new TupleValue([e.Key, e.Value]));
        try
        {
            return (PyValue.IsTruthy(arguments.Get(2, "reverse", false)) ? pairs.Reverse() : pairs).ToList();
        }
        catch (InvalidOperationException e) when (e.InnerException is TemplateError or ChatTemplateException)
        {
            // The sort wraps what its comparer throws (values that cannot be compared, nesting past the limit).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    // markupsafe.escape, which jinja2's e/escape filters apply even with autoescape off.
    private static string Escape(object? value) => PyText.Str(value)
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBoundary();
}
