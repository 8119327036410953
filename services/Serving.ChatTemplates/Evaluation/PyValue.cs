namespace Serving.ChatTemplates.Evaluation;

// Python semantics over the engine's values: null, bool, long, double, string, List<object?>,
// OrderedDictionary<string, object?>, Undefined, Namespace, LoopContext and BuiltinFunction.
internal static class PyValue
{
    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long n => n != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        OrderedDictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        OrderedDictionary<string, object?> => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        BuiltinFunction => "builtin_function_or_method",
        _ => value.GetType().Name,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double ToDouble(object? value) => value switch
    {
        long n => n,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new TemplateError($"expected a number but got {TypeName(value)}"),
    };

    public static long ToInteger(object? value) => value switch
    {
        long n => n,
        bool b => b ? 1 : 0,
        double d when double.IsFinite(d) => (long)d,
        _ => throw new TemplateError($"expected an integer but got {TypeName(value)}"),
    };

    public static bool AreEqual(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right))
            return left is double || right is double ? ToDouble(left) == ToDouble(right) : ToInteger(left) == ToInteger(right);
        return (left, right) switch
        {
            (null, null) => true,
            (Undefined, Undefined) => true,
            (string a, string b) => a == b,
            // The same list or dict on both sides is equal without a walk, as in Python, which keeps [x] * n == [x] * n linear.
            (List<object?> a, List<object?> b) => ReferenceEquals(a, b) || (a.Count == b.Count && ListsEqual(a, b)),
            (OrderedDictionary<string, object?> a, OrderedDictionary<string, object?> b) => ReferenceEquals(a, b) || (a.Count == b.Count && DictsEqual(a, b)),
            _ => ReferenceEquals(left, right),
        };
    }

    public static int Compare(object? left, object? right)
    {
        if (IsNumber(left) && IsNumber(right))
            return ToDouble(left).CompareTo(ToDouble(right));
        if (left is string a && right is string b)
            return string.CompareOrdinal(a, b);
        if (left is List<object?> x && right is List<object?> y)
            return CompareLists(x, y);
        throw new TemplateError($"cannot compare {TypeName(left)} with {TypeName(right)}");
    }

    // Walking into a list or dict is a level of nesting, so a value nested past the limit is an error, not a stack overflow.
    private static bool ListsEqual(List<object?> a, List<object?> b)
    {
        var budget = BudgetState.Current;
        budget.Enter();
        try
        {
            for (var i = 0; i < a.Count; i++)
            {
                if (!AreEqual(a[i], b[i]))
                    return false;
            }

            return true;
        }
        finally
        {
            budget.Exit();
        }
    }

    private static bool DictsEqual(OrderedDictionary<string, object?> a, OrderedDictionary<string, object?> b)
    {
        var budget = BudgetState.Current;
        budget.Enter();
        try
        {
            foreach (var (key, value) in a)
            {
                if (!b.TryGetValue(key, out var other) || !AreEqual(value, other))
                    return false;
            }

            return true;
        }
        finally
        {
            budget.Exit();
        }
    }

    private static int CompareLists(List<object?> x, List<object?> y)
    {
        var budget = BudgetState.Current;
        budget.Enter();
        try
        {
            for (var i = 0; i < Math.Min(x.Count, y.Count); i++)
            {
                if (!AreEqual(x[i], y[i]))
                    return Compare(x[i], y[i]);
            }

            return x.Count.CompareTo(y.Count);
        }
        finally
        {
            budget.Exit();
        }
    }

    public static IReadOnlyList<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        OrderedDictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string s => Characters(s),
        Undefined => [],
        _ => throw new TemplateError($"'{TypeName(value)}' object is not iterable"),
    };

    public static long Length(object? value) => value switch
    {
        string s => CodePoints(s),
        List<object?> list => list.Count,
        OrderedDictionary<string, object?> dict => dict.Count,
        Undefined => 0,
        _ => throw new TemplateError($"object of type '{TypeName(value)}' has no length"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string part => s.Contains(part, StringComparison.Ordinal),
        string => throw new TemplateError($"'in <string>' requires a string on the left, not {TypeName(item)}"),
        OrderedDictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        List<object?> list => list.Any(element => AreEqual(element, item)),
        Undefined => false,
        _ => throw new TemplateError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    // jinja2's getattr: attributes of the engine's objects, else the mapping key; missing means undefined.
    public static object? GetAttribute(object? target, string name) => target switch
    {
        OrderedDictionary<string, object?> dict => dict.TryGetValue(name, out var value) ? value : new Undefined(name),
        Namespace ns => ns.Attributes.TryGetValue(name, out var value) ? value : new Undefined(name),
        LoopContext loop => loop.Get(name),
        _ => new Undefined(name),
    };

    public static object? GetItem(object? target, object? key)
    {
        if (key is string name && target is not (List<object?> or string))
            return GetAttribute(target, name);
        if (key is not (long or bool))
            return new Undefined(PyText.Repr(key));
        var items = target switch
        {
            List<object?> list => list,
            string s => Characters(s),
            _ => null,
        };
        var index = ToInteger(key);
        if (index < 0 && items != null)
            index += items.Count;
        return items != null && index >= 0 && index < items.Count ? items[(int)index] : new Undefined($"[{key}]");
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var items = target switch
        {
            string s => Characters(s),
            List<object?> list => list,
            Undefined => [],
            _ => throw new TemplateError($"'{TypeName(target)}' object is not subscriptable"),
        };
        var stride = step is null or Undefined ? 1 : ToInteger(step);
        if (stride == 0)
            throw new TemplateError("slice step cannot be zero");

        // Python's slice.indices: clamp the bounds, defaults depending on the direction.
        long count = items.Count;
        long Bound(object? value, long fallback)
        {
            if (value is null or Undefined)
                return fallback;
            var bound = ToInteger(value);
            if (bound < 0)
                bound += count;
            return stride > 0 ? Math.Clamp(bound, 0, count) : Math.Clamp(bound, -1, count - 1);
        }

        var from = Bound(start, stride > 0 ? 0 : count - 1);
        var to = Bound(stop, stride > 0 ? count : -1);
        // Counted in 128-bit arithmetic: stepping an index by a stride near 2**63 would overflow past the end.
        var length = stride > 0 ? ((Int128)to - from + stride - 1) / stride : ((Int128)from - to - stride - 1) / -(Int128)stride;
        var result = new List<object?>();
        for (Int128 k = 0; k < length; k++)
            result.Add(items[(int)(from + (k * stride))]);
        return target is string ? string.Concat(result.Cast<string>()) : result;
    }

    // len(str) counts code points; the vectorized search keeps text without surrogates (most text) at memory speed.
    public static long CodePoints(string s)
    {
        var firstSurrogate = s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        return firstSurrogate < 0 ? s.Length : firstSurrogate + s[firstSurrogate..].EnumerateRunes().Count();
    }

    // Python indexes strings by code point, so an emoji is one character, not two UTF-16 units.
    public static List<object?> Characters(string s)
    {
        // A string per character: charged per item before any is made.
        BudgetState.Current.ChargeItems(s.Length);
        return s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList();
    }
}
