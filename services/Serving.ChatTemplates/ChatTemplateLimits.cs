namespace Serving.ChatTemplates;

/// <summary>
/// The budget one render of a chat template may spend. Templates come from model folders, but what they render
/// (messages, tools, <c>chat_template_kwargs</c>) comes from callers, so every limit holds whatever the input is.
/// Exceeding one throws <see cref="ChatTemplateLimitException"/>, naming it. The defaults are far above what the
/// Hugging Face chat templates need for the largest request the gateway accepts.
/// </summary>
public sealed record ChatTemplateLimits
{
    /// <summary>The defaults.</summary>
    public static ChatTemplateLimits Default { get; } = new();

    /// <summary>Macro calls nested inside macro calls (a macro calling itself counts every call).</summary>
    public int MaxRecursionDepth { get; init; } = 64;

    /// <summary>
    /// How deeply the template may nest: its syntax when parsed (brackets, operators, blocks), and while rendering,
    /// expressions and blocks being evaluated (across macro calls) and values being printed, compared or serialized.
    /// </summary>
    public int MaxNestingDepth { get; init; } = 256;

    /// <summary>
    /// Characters in the output and in any one string the template builds (a set block, a repetition, a join), and
    /// items in any list it builds by <c>range</c>, repetition or concatenation.
    /// </summary>
    public int MaxOutputLength { get; init; } = 16 << 20;

    /// <summary>
    /// Units of work: one per statement, expression, loop iteration, macro call and list item built or read, and one
    /// per <see cref="CharactersPerStep"/> characters built or read.
    /// </summary>
    public long MaxSteps { get; init; } = 5_000_000;

    /// <summary>Characters of text that cost one step.</summary>
    public const int CharactersPerStep = 64;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecursionDepth, 1, nameof(MaxRecursionDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNestingDepth, 8, nameof(MaxNestingDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutputLength, 0, nameof(MaxOutputLength));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSteps, 1, nameof(MaxSteps));
    }
}
