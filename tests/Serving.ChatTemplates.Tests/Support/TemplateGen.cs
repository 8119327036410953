using CsCheck;

namespace Serving.ChatTemplates.Tests.Support;

// Random chat templates from a small grammar of the Jinja constructs the engine supports (and a few it rejects),
// spliced with garbage, and random JSON-like template variables, for the fuzz tests. Operands are parenthesized, as
// jinja2 reads "x|upper.split()" as a filter named "upper.split".
internal static class TemplateGen
{
    // Names a template may read: the variables Variables sets, a macro, globals, loop state, and one never defined.
    private static readonly Gen<string> Name =
        Gen.OneOf("x", "y", "messages", "m", "tools", "ns", "ns.a", "loop", "loop.index", "f", "range", "missing", "bos_token");

    private static readonly Gen<string> Literal = Gen.OneOf(
        Gen.Int[-3, 3].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("0", "1", "2", "10**9", "2**62", "9223372036854775807", "-1", "1.5", "1e308", "0.0"),
        Gen.OneOf("''", "'a'", "'a b\\n c'", "\"it's\"", "'<|im_start|>'", "'\\u00e9'", "'{{'", "'%}'", "'%Y-%m-%d %H'", "'%-d %q'"),
        Gen.OneOf("true", "false", "none", "[]", "{}", "()"));

    private static readonly Gen<string> Filter = Gen.OneOf(
        "trim", "length", "tojson", "tojson(indent=2)", "join(',')", "upper", "first", "last", "list", "string", "int", "float",
        "default('d')", "default(x, true)", "items", "dictsort", "reverse", "indent(2)", "indent(x)", "replace('a', 'bb')",
        "selectattr('role', 'equalto', 'user')", "rejectattr('content')", "map(attribute='content')", "map('upper')", "select",
        "reject('none')", "abs", "round", "title", "capitalize", "escape", "count", "safe");

    // Features outside the supported subset fail the whole parse, so they come rarely.
    private static readonly Gen<string> Unsupported = Gen.OneOf(
        "{{ x|unique }}", "{{ x|wordwrap(3) }}", "{{ x is escaped }}", "{% include 'x' %}", "{% endif %}", "{% break %}", "{{ x.append(1) }}");

    private static readonly Gen<string> Method = Gen.OneOf(
        "strip()", "split()", "split(',')", "split(none, 1)", "upper()", "startswith('a')", "endswith(['b', 'c'])",
        "replace('a', 'b')", "items()", "keys()", "values()", "get('role')", "get('a', 1)", "lstrip('x')", "title()",
        "find('a')", "count('a')", "splitlines()", "join(['a', 'b'])", "cycle(1, 2)");

    private static readonly Gen<string> Test = Gen.OneOf(
        "defined", "undefined", "string", "none", "mapping", "iterable", "sequence", "number", "divisibleby 2", "divisibleby(0)",
        "equalto 1", "odd", "even", "in [1, 'a']", "lower");

    private static readonly Gen<string> Operator = Gen.OneOf(
        "+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or");

    public static readonly Gen<string> Expression = Gen.Recursive<string>((depth, expression) => depth >= 4
        ? Gen.OneOf(Name, Literal)
        : Gen.Frequency(
            (6, Gen.OneOf(Name, Literal)),
            (3, Gen.Select(expression, Operator, expression, (a, op, b) => $"({a} {op} {b})")),
            (1, expression.Select(e => $"(not {e})")),
            (1, expression.Select(e => $"(-{e})")),
            (3, Gen.Select(expression, Filter, (e, f) => $"({e})|{f}")),
            (2, Gen.Select(expression, Method, (e, m) => $"({e}).{m}")),
            (1, Gen.Select(expression, Test, (e, t) => $"({e} is {t})")),
            (1, Gen.Select(expression, Test, (e, t) => $"({e} is not {t})")),
            (2, Gen.Select(expression, Gen.OneOf(".content", ".role", "['role']", "[0]", "[-1]", "[1:]", "[::-1]", "[::0]", ".a"), (e, p) => $"({e}){p}")),
            // Filters, methods and subscripts whose arguments are expressions too, so they meet every kind of value.
            (2, Gen.Select(expression, expression, expression, Gen.Int[0, 9], (e, a, b, form) => form switch
            {
                0 => $"({e})[{a}]",
                1 => $"({e})[{a}:{b}]",
                2 => $"({e})[::{a}]",
                3 => $"({e})|round({a})",
                4 => $"({e})|indent({a})",
                5 => $"({e})|replace({a}, {b})",
                6 => $"({e}).split({a}, {b})",
                7 => $"({e} is divisibleby({a}))",
                8 => $"({e})|dictsort(by='value')",
                _ => $"range({e}, {a}, {b})",
            })),
            (2, Gen.Select(expression, expression, (a, b) => $"[{a}, {b}]")),
            (1, Gen.Select(expression, expression, (a, b) => $"{{'k': {a}, 'role': {b}}}")),
            (1, Gen.Select(expression, expression, expression, (a, c, b) => $"({a} if {c} else {b})")),
            (1, Gen.Select(expression, expression, (a, c) => $"({a} if {c})")),
            (2, Gen.Select(Gen.OneOf("range", "f", "namespace", "dict", "raise_exception", "strftime_now", "loop.cycle"), expression, expression,
                (callee, a, b) => callee switch
                {
                    "namespace" or "dict" => $"{callee}(a={a})",
                    "strftime_now" => $"strftime_now({a})",
                    _ => $"{callee}({a}, {b})",
                }))));

    private static readonly Gen<string> Garbage = Gen.Char["{}%#-+ ()[]'\"|~.,:=afx01\n\\"].Array[0, 12].Select(chars => new string(chars));

    // Fragments that run into a limit: recursion, nesting, a huge string, nested loops.
    private static readonly Gen<string> Hazard = Gen.OneOf(
        "{% macro f(a, b=1) %}{{ f(a) }}{% endmacro %}{{ f(1) }}",
        "{% set ns = namespace() %}{% set ns.a = ns %}{{ ns }}",
        "{{ 'x' * 10**9 }}",
        "{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}");

    private static readonly Gen<string> Text = Gen.Frequency(
        (20, Gen.OneOf("text ", "\n  ", "<|im_end|>\n", "} %} #}")),
        (2, Garbage),
        (1, Unsupported));

    public static readonly Gen<string> Statement = Gen.Recursive<string>((depth, body) =>
    {
        var leaf = Gen.Frequency(
            (3, Text),
            (4, Expression.Select(e => $"{{{{ {e} }}}}")),
            (1, Expression.Select(e => $"{{{{- {e} -}}}}")),
            (2, Gen.Select(Gen.OneOf("x", "y", "a, b"), Expression, (n, e) => $"{{% set {n} = {e} %}}")),
            (1, Gen.Const("{% set ns = namespace(a=0) %}")),
            (1, Expression.Select(e => $"{{% set ns.a = {e} %}}")),
            (1, Gen.Const("{# note #}")),
            (1, Hazard));
        if (depth >= 3)
            return leaf;
        var block = body.Array[0, 3].Select(parts => string.Concat(parts));
        return Gen.Frequency(
            (5, leaf),
            (2, Gen.Select(Expression, block, block, (c, a, b) => $"{{% if {c} %}}{a}{{% else %}}{b}{{% endif %}}")),
            (1, Gen.Select(Expression, Expression, block, block, (c, d, a, b) => $"{{% if {c} %}}{a}{{% elif {d} %}}{b}{{% endif %}}")),
            (2, Gen.Select(Expression, block, Gen.OneOf("", "{% break %}", "{% continue %}"), (e, a, control) => $"{{% for x in {e} %}}{a}{control}{{% endfor %}}")),
            (1, Gen.Select(Expression, Expression, block, block, (e, c, a, b) => $"{{% for m in {e} if {c} %}}{a}{{% else %}}{b}{{% endfor %}}")),
            (1, Gen.Select(Expression, block, (e, a) => $"{{% for a, b in {e} %}}{a}{{% endfor %}}")),
            (1, block.Select(a => $"{{% set y %}}{a}{{% endset %}}")),
            (2, Gen.Select(block, Expression, (a, e) => $"{{% macro f(a, b=1) %}}{a}{{{{ {e} }}}}{{% endmacro %}}")),
            (1, block.Select(a => $"{{% generation %}}{a}{{% endgeneration %}}")));
    });

    // A template of a few statements; one in ten is cut or has garbage spliced in, to reach the error paths.
    public static readonly Gen<string> Template = Gen.Select(Statement.Array[1, 6], Gen.Int[0, 19], Gen.Int[0, 1000], Gen.Int[0, 8], Garbage,
        (statements, mutation, at, length, garbage) =>
        {
            var text = string.Concat(statements);
            var start = text.Length == 0 ? 0 : at % text.Length;
            return mutation switch
            {
                0 => text.Remove(start, Math.Min(length, text.Length - start)),
                1 => text.Insert(start, garbage),
                _ => text,
            };
        });

    // JSON-like values of every kind a caller can pass, with numbers and text at the edges.
    public static readonly Gen<object?> Value = Gen.Recursive<object?>((depth, value) =>
    {
        var scalar = Gen.OneOf<object?>(
            Gen.Const(() => (object?)null),
            Gen.Bool.Select(b => (object?)b),
            Gen.Long.Select(n => (object?)n),
            Gen.OneOf<object?>(0L, -1L, long.MaxValue, long.MinValue, double.NaN, double.PositiveInfinity, -0.0, 1.5),
            Gen.Double.Select(d => (object?)d),
            Gen.String.Select(s => (object?)s),
            Gen.OneOf<object?>("", "user", "a b", "<|endoftext|>", "{{ x }}", "😀\u0301", "\ud800"));
        if (depth >= 3)
            return scalar;
        return Gen.Frequency(
            (4, scalar),
            (1, value.List[0, 4].Select(items => (object?)items)),
            (1, Gen.Select(Gen.OneOf("role", "content", "a", "k"), value, (k, v) => (object?)new Dictionary<string, object?> { [k] = v })));
    });

    private static readonly Gen<object?> Message = Gen.Select(Gen.OneOf("system", "user", "assistant", "tool", "other"), Gen.OneOf(Gen.String.Select(s => (object?)s), Value),
        (role, content) => (object?)new Dictionary<string, object?> { ["role"] = role, ["content"] = content });

    public static readonly Gen<Dictionary<string, object?>> Variables = Gen.Select(Message.List[0, 5], Value, Value, Gen.Bool,
        (messages, x, y, addGenerationPrompt) => new Dictionary<string, object?>
        {
            ["messages"] = messages,
            ["x"] = x,
            ["y"] = y,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = "<s>",
            ["tools"] = addGenerationPrompt ? SampleTools.Weather : null,
        });
}
