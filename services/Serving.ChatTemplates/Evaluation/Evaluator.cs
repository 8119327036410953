using Serving.ChatTemplates.Syntax;

namespace Serving.ChatTemplates.Evaluation;

// Evaluates expressions; a TemplateError from the value layer gets the position of the innermost failing node.
// Every node costs a step and a level of nesting; what an operation reads and builds costs by its size.
internal static class Evaluator
{
    public static object? Evaluate(Expression expression, Scope scope)
    {
        var budget = BudgetState.Current;
        budget.Enter();
        try
        {
            budget.Step();
            var value = EvaluateNode(expression, scope);
            if (value is string text)
                budget.CheckLength(text.Length);
            // What a node only looks up (a name, an attribute, an item, a branch) is not built here, so costs nothing more.
            if (value is string or List<object?> or OrderedDictionary<string, object?>
                && expression is not (LiteralExpression or NameExpression or AttributeExpression or ItemExpression or ConditionalExpression))
                budget.Charge(value);
            return value;
        }
        catch (TemplateError error)
        {
            throw expression.Position.Error(error.Message);
        }
        finally
        {
            budget.Exit();
        }
    }

    private static object? EvaluateNode(Expression expression, Scope scope) => expression switch
    {
        LiteralExpression literal => literal.Value,
        NameExpression name => scope.TryGet(name.Name, out var value) ? value : new Undefined(name.Name),
        ListExpression list when list.IsTuple => new TupleValue(list.Items.Select(item => Evaluate(item, scope))),
        ListExpression list => list.Items.Select(item => Evaluate(item, scope)).ToList(),
        DictExpression dict => EvaluateDict(dict, scope),
        AttributeExpression attribute => PyValue.GetAttribute(Evaluate(attribute.Target, scope), attribute.Name),
        ItemExpression item => PyValue.GetItem(Evaluate(item.Target, scope), Evaluate(item.Index, scope)),
        SliceExpression slice => PyValue.Slice(
            Evaluate(slice.Target, scope), EvaluateOptional(slice.Start, scope), EvaluateOptional(slice.Stop, scope), EvaluateOptional(slice.Step, scope)),
        UnaryExpression unary => EvaluateUnary(unary, scope),
        BinaryExpression binary => EvaluateBinary(binary, scope),
        ConditionalExpression conditional => PyValue.IsTruthy(Evaluate(conditional.Condition, scope))
            ? Evaluate(conditional.Then, scope)
            : conditional.Otherwise != null ? Evaluate(conditional.Otherwise, scope) : new Undefined("else"),
        CallExpression call => EvaluateCall(call, scope),
        FilterExpression filter => Filters.Apply(filter.Name, ReadText(Evaluate(filter.Target, scope)), EvaluateArguments(filter.Arguments, scope)),
        TestExpression test => Tests.Apply(test.Name, ReadText(Evaluate(test.Target, scope)), EvaluateArguments(test.Arguments, scope)) != test.Negated,
        _ => throw new TemplateError($"unknown expression {expression.GetType().Name}"),
    };

    // Filters, tests and methods on a string may scan it whole (by code point): charge for the scan. What they build
    // is charged as their result, and splitting a string into characters is charged where it is done.
    private static object? ReadText(object? value)
    {
        if (value is string text)
            BudgetState.Current.ChargeText(text.Length);
        return value;
    }

    private static object? EvaluateOptional(Expression? expression, Scope scope) =>
        expression == null ? null : Evaluate(expression, scope);

    private static OrderedDictionary<string, object?> EvaluateDict(DictExpression dict, Scope scope)
    {
        var result = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Entries)
        {
            if (Evaluate(key, scope) is not string name)
                throw new TemplateError("dict keys must be strings");
            result[name] = Evaluate(value, scope);
        }

        return result;
    }

    private static object? EvaluateUnary(UnaryExpression unary, Scope scope)
    {
        var operand = Evaluate(unary.Operand, scope);
        return unary.Operator switch
        {
            UnaryOperator.Not => !PyValue.IsTruthy(operand),
            UnaryOperator.Negate when operand is double d => -d,
            UnaryOperator.Negate => Arithmetic.Apply(BinaryOperator.Subtract, 0L, operand),
            _ => Arithmetic.Apply(BinaryOperator.Add, 0L, operand),
        };
    }

    // and/or short-circuit and return an operand, as in Python.
    private static object? EvaluateBinary(BinaryExpression binary, Scope scope)
    {
        var left = Evaluate(binary.Left, scope);
        switch (binary.Operator)
        {
            case BinaryOperator.And:
                return PyValue.IsTruthy(left) ? Evaluate(binary.Right, scope) : left;
            case BinaryOperator.Or:
                return PyValue.IsTruthy(left) ? left : Evaluate(binary.Right, scope);
        }

        var right = Evaluate(binary.Right, scope);
        if (binary.Operator is BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual
            or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual or BinaryOperator.In or BinaryOperator.NotIn)
        {
            // Comparisons and membership scan both sides; arithmetic and ~ are charged for what they build.
            BudgetState.Current.Charge(left);
            BudgetState.Current.Charge(right);
        }

        return binary.Operator switch
        {
            BinaryOperator.Concat => Concat(PyText.Str(left), PyText.Str(right)),
            BinaryOperator.Equal => PyValue.AreEqual(left, right),
            BinaryOperator.NotEqual => !PyValue.AreEqual(left, right),
            BinaryOperator.Less => PyValue.Compare(left, right) < 0,
            BinaryOperator.LessOrEqual => PyValue.Compare(left, right) <= 0,
            BinaryOperator.Greater => PyValue.Compare(left, right) > 0,
            BinaryOperator.GreaterOrEqual => PyValue.Compare(left, right) >= 0,
            BinaryOperator.In => PyValue.Contains(right, left),
            BinaryOperator.NotIn => !PyValue.Contains(right, left),
            _ => Arithmetic.Apply(binary.Operator, left, right),
        };
    }

    private static string Concat(string left, string right)
    {
        BudgetState.Current.CheckLength((long)left.Length + right.Length);
        return left + right;
    }

    // obj.method(...) dispatches on the receiver; anything else must be a global function.
    private static object? EvaluateCall(CallExpression call, Scope scope)
    {
        if (call.Callee is AttributeExpression member)
        {
            var target = ReadText(Evaluate(member.Target, scope));
            return Methods.Call(target, member.Name, EvaluateArguments(call.Arguments, scope));
        }

        var callee = Evaluate(call.Callee, scope);
        return callee switch
        {
            BuiltinFunction function => function.Invoke(EvaluateArguments(call.Arguments, scope), call.Position),
            Undefined when call.Callee is NameExpression name => throw new TemplateError($"the function '{name.Name}' is not supported"),
            Undefined undefined => throw new TemplateError($"'{undefined.Hint}' is undefined and cannot be called"),
            _ => throw new TemplateError($"'{PyValue.TypeName(callee)}' object is not callable"),
        };
    }

    private static Arguments EvaluateArguments(ArgumentList arguments, Scope scope)
    {
        if (arguments.Positional.Count == 0 && arguments.Named.Count == 0)
            return Arguments.None;
        var positional = arguments.Positional.Select(argument => Evaluate(argument, scope)).ToList();
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments.Named)
            named[name] = Evaluate(value, scope);
        return new Arguments(positional, named);
    }
}
