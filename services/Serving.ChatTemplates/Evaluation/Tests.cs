namespace Serving.ChatTemplates.Evaluation;

// The jinja2 tests ("x is defined", "x is equalto y"), with Python's type checks (a bool is a number).
internal static class Tests
{
    private static readonly Dictionary<string, Func<object?, Arguments, bool>> All = new(StringComparer.Ordinal)
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v is null,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["number"] = (v, _) => PyValue.IsNumber(v),
        ["string"] = (v, _) => v is string,
        ["mapping"] = (v, _) => v is OrderedDictionary<string, object?>,
        // jinja2 asks iter(v) and len(v)/v[...]; its Undefined passes both.
        ["iterable"] = (v, _) => v is string or List<object?> or OrderedDictionary<string, object?> or Undefined,
        ["sequence"] = (v, _) => v is string or List<object?> or OrderedDictionary<string, object?> or Undefined,
        ["callable"] = (v, _) => v is BuiltinFunction,
        ["sameas"] = (v, a) => v is null || v is bool ? Equals(v, a.Get(0, "other")) : ReferenceEquals(v, a.Get(0, "other")),
        ["equalto"] = Equal,
        ["eq"] = Equal,
        ["=="] = Equal,
        ["ne"] = (v, a) => !Equal(v, a),
        ["!="] = (v, a) => !Equal(v, a),
        ["lt"] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) < 0,
        ["<"] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) < 0,
        ["le"] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) <= 0,
        ["<="] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) <= 0,
        ["gt"] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) > 0,
        [">"] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) > 0,
        ["ge"] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) >= 0,
        [">="] = (v, a) => PyValue.Compare(v, a.Get(0, "other")) >= 0,
        ["in"] = (v, a) => PyValue.Contains(a.Get(0, "seq"), v),
        ["odd"] = (v, _) => PyValue.ToInteger(v) % 2 != 0,
        ["even"] = (v, _) => PyValue.ToInteger(v) % 2 == 0,
        ["divisibleby"] = (v, a) => DivisibleBy(PyValue.ToInteger(v), a.GetInteger(0, "num", 1)),
        ["lower"] = (v, _) => v is string s && s.Any(char.IsLetter) && !s.Any(char.IsUpper),
        ["upper"] = (v, _) => v is string s && s.Any(char.IsLetter) && !s.Any(char.IsLower),
    };

    public static bool IsSupported(string name) => All.ContainsKey(name);

    public static bool Apply(string name, object? value, Arguments arguments) => All[name](value, arguments);

    private static bool Equal(object? value, Arguments arguments) => PyValue.AreEqual(value, arguments.Get(0, "other"));

    // Python's ZeroDivisionError; and long.MinValue % -1 overflows in .NET, though every integer is divisible by -1.
    private static bool DivisibleBy(long value, long divisor) => divisor switch
    {
        0 => throw new TemplateError("division by zero"),
        -1 => true,
        _ => value % divisor == 0,
    };
}
