namespace Serving.ChatTemplates;

/// <summary>
/// A template went past one of its <see cref="ChatTemplateLimits"/> while parsing or rendering. The message names the
/// limit and its value, e.g. "chat template exceeded its recursion depth limit (64)".
/// </summary>
public sealed class ChatTemplateLimitException : ChatTemplateException
{
    /// <summary>Creates the exception for a limit and the value it was set to.</summary>
    public ChatTemplateLimitException(ChatTemplateLimit limit, long value, string? detail = null)
        : base($"chat template exceeded its {Describe(limit, value)}{(detail is null ? "" : ": " + detail)}", null, null, null)
    {
        Limit = limit;
        Value = value;
    }

    /// <summary>The limit that was exceeded.</summary>
    public ChatTemplateLimit Limit { get; }

    /// <summary>The value the limit was set to.</summary>
    public long Value { get; }

    private static string Describe(ChatTemplateLimit limit, long value) => limit switch
    {
        ChatTemplateLimit.RecursionDepth => $"recursion depth limit ({value})",
        ChatTemplateLimit.NestingDepth => $"nesting depth limit ({value})",
        ChatTemplateLimit.OutputLength => $"output size limit ({value} characters)",
        _ => $"step limit ({value} steps)",
    };
}
