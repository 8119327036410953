using System.Runtime.CompilerServices;

namespace Serving.ChatTemplates.Evaluation;

// What one render has spent of its ChatTemplateLimits. A render runs synchronously on the caller's thread, and the
// value layer (arithmetic, filters, methods, repr, tojson) is static Python semantics, so it finds the render's
// budget here rather than through every signature.
internal sealed class BudgetState(ChatTemplateLimits limits)
{
    [ThreadStatic]
    private static BudgetState? current;

    private long steps;
    private int nesting;
    private int calls;

    public static BudgetState Current => current ?? throw new InvalidOperationException("no chat template render is running on this thread");

    public static T Run<T>(ChatTemplateLimits limits, Func<T> render)
    {
        var previous = current;
        current = new BudgetState(limits);
        try
        {
            return render();
        }
        finally
        {
            current = previous;
        }
    }

    public void Step() => Spend(1);

    // A list item costs a step; text costs one per CharactersPerStep characters.
    public void Charge(object? value) => Spend(value switch
    {
        string s => s.Length / ChatTemplateLimits.CharactersPerStep,
        List<object?> list => list.Count,
        OrderedDictionary<string, object?> dict => dict.Count,
        _ => 0,
    });

    public void ChargeText(long length) => Spend(length / ChatTemplateLimits.CharactersPerStep);

    public void ChargeItems(long count) => Spend(count);

    // Checked before a string is built, so a repetition like 'x' * 10**9 never allocates.
    public void CheckLength(long length)
    {
        if (length > limits.MaxOutputLength)
            throw new ChatTemplateLimitException(ChatTemplateLimit.OutputLength, limits.MaxOutputLength);
    }

    // CheckLength for count copies of a piece, without overflowing on a huge count.
    public void CheckRepeat(long pieceLength, long count)
    {
        if (pieceLength > 0 && count > limits.MaxOutputLength / pieceLength)
            throw new ChatTemplateLimitException(ChatTemplateLimit.OutputLength, limits.MaxOutputLength);
        CheckLength(pieceLength * Math.Max(0, count));
    }

    // Every recursive step of the interpreter (a block, an expression, a nested value) enters and exits. The stack
    // check backs the count up where the caller's thread has a small stack; every eighth level is often enough, as
    // it keeps 128 KiB in hand and eight levels take a few.
    public void Enter()
    {
        if (++nesting > limits.MaxNestingDepth)
            throw new ChatTemplateLimitException(ChatTemplateLimit.NestingDepth, limits.MaxNestingDepth);
        if (nesting % 8 == 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new ChatTemplateLimitException(ChatTemplateLimit.NestingDepth, limits.MaxNestingDepth, $"the thread's stack ran short at depth {nesting}");
    }

    public void Exit() => nesting--;

    public void EnterMacro()
    {
        if (++calls > limits.MaxRecursionDepth)
            throw new ChatTemplateLimitException(ChatTemplateLimit.RecursionDepth, limits.MaxRecursionDepth);
        Step();
    }

    public void ExitMacro() => calls--;

    // Compared before adding, so no cost can wrap the count around.
    private void Spend(long cost)
    {
        if (cost > limits.MaxSteps - steps)
            throw new ChatTemplateLimitException(ChatTemplateLimit.Steps, limits.MaxSteps);
        steps += cost;
    }
}
