using System.Text;
using Serving.ChatTemplates.Syntax;

namespace Serving.ChatTemplates.Evaluation;

// Executes statements into a StringBuilder; break/continue travel back up as a LoopSignal.
// Every statement and loop iteration costs a step, every block a level of nesting, every macro call a level of recursion.
internal static class Renderer
{
    public static string Render(IReadOnlyList<Statement> body, Scope scope)
    {
        var output = new StringBuilder();
        Execute(body, scope, output);
        return output.ToString();
    }

    private static LoopSignal Execute(IReadOnlyList<Statement> body, Scope scope, StringBuilder output)
    {
        var budget = BudgetState.Current;
        budget.Enter();
        try
        {
            return ExecuteStatements(body, scope, output, budget);
        }
        finally
        {
            budget.Exit();
        }
    }

    private static LoopSignal ExecuteStatements(IReadOnlyList<Statement> body, Scope scope, StringBuilder output, BudgetState budget)
    {
        foreach (var statement in body)
        {
            budget.Step();
            var signal = statement switch
            {
                TextStatement text => Write(output, text.Text),
                OutputStatement value => Write(output, PyText.Str(Evaluator.Evaluate(value.Value, scope))),
                IfStatement branch => ExecuteIf(branch, scope, output),
                ForStatement loop => ExecuteFor(loop, scope, output),
                SetStatement set => ExecuteSet(set, scope),
                SetBlockStatement block => Assign(scope, block.Target, Render(block.Body, scope)),
                MacroStatement macro => Assign(scope, macro.Name, DefineMacro(macro, scope)),
                LoopControlStatement control => control.IsBreak ? LoopSignal.Break : LoopSignal.Continue,
                _ => throw statement.Position.Error($"unknown statement {statement.GetType().Name}"),
            };
            if (signal != LoopSignal.None)
                return signal;
        }

        return LoopSignal.None;
    }

    // The output (a template's, a set block's or a macro's) is checked before it grows, so it never passes the limit.
    private static LoopSignal Write(StringBuilder output, string text)
    {
        var budget = BudgetState.Current;
        budget.CheckLength((long)output.Length + text.Length);
        budget.ChargeText(text.Length);
        output.Append(text);
        return LoopSignal.None;
    }

    private static LoopSignal Assign(Scope scope, string name, object? value)
    {
        scope.Set(name, value);
        return LoopSignal.None;
    }

    // A macro sees the scope it was defined in (as jinja2's closures do) plus its parameters, and returns its output.
    private static BuiltinFunction DefineMacro(MacroStatement macro, Scope definedIn) => new(macro.Name, (arguments, _) =>
    {
        if (arguments.Positional.Count > macro.Parameters.Count)
            throw new TemplateError($"macro '{macro.Name}' takes {macro.Parameters.Count} arguments, got {arguments.Positional.Count}");
        var unknown = arguments.Named.Keys.FirstOrDefault(name => macro.Parameters.All(p => p.Name != name));
        if (unknown != null)
            throw new TemplateError($"macro '{macro.Name}' has no parameter '{unknown}'");
        var frame = new Scope(definedIn);
        for (var i = 0; i < macro.Parameters.Count; i++)
        {
            var parameter = macro.Parameters[i];
            var value = i < arguments.Positional.Count ? arguments.Positional[i]
                : arguments.Named.TryGetValue(parameter.Name, out var named) ? named
                : parameter.Default != null ? Evaluator.Evaluate(parameter.Default, frame)
                : new Undefined(parameter.Name);
            frame.Set(parameter.Name, value);
        }

        var budget = BudgetState.Current;
        budget.EnterMacro();
        try
        {
            return Render(macro.Body, frame);
        }
        finally
        {
            budget.ExitMacro();
        }
    });

    private static LoopSignal ExecuteIf(IfStatement statement, Scope scope, StringBuilder output)
    {
        foreach (var branch in statement.Branches)
        {
            if (PyValue.IsTruthy(Evaluator.Evaluate(branch.Condition, scope)))
                return Execute(branch.Body, scope, output);
        }

        return Execute(statement.Else, scope, output);
    }

    private static LoopSignal ExecuteFor(ForStatement statement, Scope scope, StringBuilder output)
    {
        var iterable = Evaluator.Evaluate(statement.Iterable, scope);
        IReadOnlyList<object?> items;
        try
        {
            items = PyValue.Iterate(iterable);
        }
        catch (TemplateError error)
        {
            throw statement.Iterable.Position.Error(error.Message);
        }

        // The inline "if" filters before counting, so loop.length and loop.last see only the kept items.
        var budget = BudgetState.Current;
        var loopScope = new Scope(scope);
        if (statement.Filter != null)
        {
            items = items.Where(item =>
            {
                budget.Step();
                Bind(loopScope, statement, item);
                return PyValue.IsTruthy(Evaluator.Evaluate(statement.Filter, loopScope));
            }).ToList();
        }

        if (items.Count == 0)
            return Execute(statement.Else, scope, output);

        var loop = new LoopContext(items);
        loopScope.Set("loop", loop);
        for (var i = 0; i < items.Count; i++)
        {
            budget.Step();
            loop.Index0 = i;
            Bind(loopScope, statement, items[i]);
            if (Execute(statement.Body, loopScope, output) == LoopSignal.Break)
                break;
        }

        return LoopSignal.None;
    }

    private static void Bind(Scope scope, ForStatement statement, object? item)
    {
        if (statement.Targets.Count == 1)
        {
            scope.Set(statement.Targets[0], item);
            return;
        }

        Unpack(scope, statement.Targets, item, statement);
    }

    private static LoopSignal ExecuteSet(SetStatement statement, Scope scope)
    {
        var value = Evaluator.Evaluate(statement.Value, scope);
        if (statement.Attribute != null)
        {
            if (!scope.TryGet(statement.Targets[0], out var target) || target is not Namespace ns)
                throw statement.Position.Error($"cannot set '{statement.Attribute}' on '{statement.Targets[0]}', which is not a namespace()");
            ns.Attributes[statement.Attribute] = value;
        }
        else if (statement.Targets.Count == 1)
        {
            scope.Set(statement.Targets[0], value);
        }
        else
        {
            Unpack(scope, statement.Targets, value, statement);
        }

        return LoopSignal.None;
    }

    private static void Unpack(Scope scope, IReadOnlyList<string> targets, object? value, Statement statement)
    {
        if (value is not List<object?> values || values.Count != targets.Count)
            throw statement.Position.Error($"cannot unpack {PyValue.TypeName(value)} into {targets.Count} names");
        for (var i = 0; i < targets.Count; i++)
            scope.Set(targets[i], values[i]);
    }
}
