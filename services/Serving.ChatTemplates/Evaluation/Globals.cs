namespace Serving.ChatTemplates.Evaluation;

// The functions a chat template can call: jinja2's range/namespace/dict and HF's raise_exception/strftime_now.
internal static class Globals
{
    public static Scope Create(TimeProvider clock)
    {
        var scope = new Scope(null);
        BuiltinFunction[] functions =
        [
            new("range", (a, _) => Range(a)),
            new("namespace", (a, _) => CreateNamespace(a)),
            new("dict", (a, _) => new OrderedDictionary<string, object?>(a.Named)),
            new("raise_exception", (a, at) => throw new ChatTemplateRaiseException(a.GetString(0, "message"), at.Line, at.Column)),
            new("strftime_now", (a, _) => Strftime.Format(clock.GetLocalNow(), a.GetString(0, "format"))),
        ];
        foreach (var function in functions)
            scope.Set(function.Name, function);
        return scope;
    }

    private static List<object?> Range(Arguments arguments)
    {
        var (start, stop) = arguments.Positional.Count > 1
            ? (PyValue.ToInteger(arguments.Positional[0]), PyValue.ToInteger(arguments.Positional[1]))
            : (0, PyValue.ToInteger(arguments.Get(0, "stop", 0L)));
        var step = arguments.Positional.Count > 2 ? PyValue.ToInteger(arguments.Positional[2]) : 1;
        if (step == 0)
            throw new TemplateError("range() step must not be zero");
        // Sized in 128-bit arithmetic, as range(-2**63, 2**63 - 1) overflows a long; charged before any item is made.
        var length = step > 0 ? ((Int128)stop - start + step - 1) / step : ((Int128)start - stop - step - 1) / -(Int128)step;
        var count = (long)Int128.Clamp(length, 0, long.MaxValue);
        var budget = BudgetState.Current;
        budget.CheckLength(count);
        budget.ChargeItems(count);
        var items = new List<object?>((int)count);
        for (var i = 0L; i < count; i++)
            items.Add(start + i * step);
        return items;
    }

    // namespace(a=1) or namespace({'a': 1}); keyword arguments win.
    private static Namespace CreateNamespace(Arguments arguments)
    {
        var ns = new Namespace();
        foreach (var initial in arguments.Positional)
        {
            if (initial is not OrderedDictionary<string, object?> dict)
                throw new TemplateError("namespace() takes a dict or keyword arguments");
            foreach (var (key, value) in dict)
                ns.Attributes[key] = value;
        }

        foreach (var (key, value) in arguments.Named)
            ns.Attributes[key] = value;
        return ns;
    }
}
