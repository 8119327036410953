using System.Runtime.CompilerServices;
using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Parsing;

// Bounds the parser's recursion (brackets, prefix operators, blocks), so a template of 100,000 '(' is an error,
// not a stack overflow. The stack check backs the count up where the caller's thread has a small stack.
internal sealed class NestingGuard(int limit)
{
    private int depth;

    public void Enter(SourcePosition at)
    {
        if (++depth > limit)
            throw new ChatTemplateLimitException(ChatTemplateLimit.NestingDepth, limit, $"line {at.Line}, column {at.Column}");
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new ChatTemplateLimitException(ChatTemplateLimit.NestingDepth, limit, $"line {at.Line}, column {at.Column}: the thread's stack ran short at depth {depth}");
    }

    public void Exit() => depth--;
}
