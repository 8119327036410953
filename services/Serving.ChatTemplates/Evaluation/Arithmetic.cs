using Serving.ChatTemplates.Syntax;

namespace Serving.ChatTemplates.Evaluation;

// Python's + - * / // % ** over ints (long, bool), floats, strings and lists.
internal static class Arithmetic
{
    public static object? Apply(BinaryOperator op, object? left, object? right)
    {
        if (left is Undefined || right is Undefined)
            throw new TemplateError($"'{((left as Undefined) ?? (Undefined)right!).Hint}' is undefined");

        switch (op, left, right)
        {
            case (BinaryOperator.Add, string a, string b):
                BudgetState.Current.CheckLength((long)a.Length + b.Length);
                return a + b;
            case (BinaryOperator.Add, List<object?> a, List<object?> b):
                BudgetState.Current.CheckLength((long)a.Count + b.Count);
                BudgetState.Current.ChargeItems((long)a.Count + b.Count);
                return a.Concat(b).ToList();
            case (BinaryOperator.Multiply, string s, long or bool):
                return Repeat(s, PyValue.ToInteger(right));
            case (BinaryOperator.Multiply, long or bool, string s):
                return Repeat(s, PyValue.ToInteger(left));
            case (BinaryOperator.Multiply, List<object?> list, long or bool):
                return Repeat(list, PyValue.ToInteger(right));
            case (BinaryOperator.Modulo, string, _):
                throw new TemplateError("string formatting with '%' is not supported");
        }

        if (!PyValue.IsNumber(left) || !PyValue.IsNumber(right))
            throw new TemplateError($"unsupported operand types for {Symbol(op)}: '{PyValue.TypeName(left)}' and '{PyValue.TypeName(right)}'");
        if (left is double || right is double || op == BinaryOperator.Divide)
            return Floats(op, PyValue.ToDouble(left), PyValue.ToDouble(right));
        return Integers(op, PyValue.ToInteger(left), PyValue.ToInteger(right));
    }

    private static object Integers(BinaryOperator op, long a, long b)
    {
        try
        {
            return op switch
            {
                BinaryOperator.Add => (object)checked(a + b),
                BinaryOperator.Subtract => checked(a - b),
                BinaryOperator.Multiply => checked(a * b),
                BinaryOperator.FloorDivide => b == 0 ? throw DivisionByZero() : FloorDivide(a, b),
                BinaryOperator.Modulo => b == 0 ? throw DivisionByZero() : a - (b * FloorDivide(a, b)),
                BinaryOperator.Power when b >= 0 => Power(a, b),
                BinaryOperator.Power => Math.Pow(a, b),
                _ => throw new TemplateError($"unsupported operator {Symbol(op)}"),
            };
        }
        catch (OverflowException)
        {
            throw new TemplateError($"integer overflow in {a} {Symbol(op)} {b}");
        }
    }

    // Sized against the budget before anything is allocated, so 'x' * 10**9 is a limit error, not 2 GB.
    private static string Repeat(string s, long count)
    {
        if (s.Length == 0 || count <= 0)
            return "";
        var budget = BudgetState.Current;
        budget.CheckRepeat(s.Length, count);
        budget.ChargeText(s.Length * count);
        return string.Concat(Enumerable.Repeat(s, (int)count));
    }

    private static List<object?> Repeat(List<object?> list, long count)
    {
        if (list.Count == 0 || count <= 0)
            return [];
        var budget = BudgetState.Current;
        budget.CheckRepeat(list.Count, count);
        budget.ChargeItems(list.Count * count);
        return Enumerable.Repeat(list, (int)count).SelectMany(x => x).ToList();
    }

    // Python rounds integer division toward negative infinity.
    private static long FloorDivide(long a, long b) => a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    // By squaring: 1 ** (2**63 - 1) is 63 multiplications, not 2**63.
    private static long Power(long value, long exponent)
    {
        var result = 1L;
        while (exponent > 0)
        {
            if ((exponent & 1) != 0)
                result = checked(result * value);
            exponent >>= 1;
            if (exponent > 0)
                value = checked(value * value);
        }

        return result;
    }

    private static double Floats(BinaryOperator op, double a, double b) => op switch
    {
        BinaryOperator.Add => a + b,
        BinaryOperator.Subtract => a - b,
        BinaryOperator.Multiply => a * b,
        BinaryOperator.Divide => b == 0 ? throw DivisionByZero() : a / b,
        BinaryOperator.FloorDivide => b == 0 ? throw DivisionByZero() : Math.Floor(a / b),
        BinaryOperator.Modulo => b == 0 ? throw DivisionByZero() : a - (b * Math.Floor(a / b)),
        BinaryOperator.Power => Math.Pow(a, b),
        _ => throw new TemplateError($"unsupported operator {Symbol(op)}"),
    };

    private static TemplateError DivisionByZero() => new("division by zero");

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.FloorDivide => "//",
        BinaryOperator.Modulo => "%",
        BinaryOperator.Power => "**",
        _ => op.ToString(),
    };
}
