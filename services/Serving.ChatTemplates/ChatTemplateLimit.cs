namespace Serving.ChatTemplates;

/// <summary>Which of <see cref="ChatTemplateLimits"/> a render or parse exceeded.</summary>
public enum ChatTemplateLimit
{
    /// <summary><see cref="ChatTemplateLimits.MaxRecursionDepth"/>.</summary>
    RecursionDepth,

    /// <summary><see cref="ChatTemplateLimits.MaxNestingDepth"/>, or the thread's stack running short first.</summary>
    NestingDepth,

    /// <summary><see cref="ChatTemplateLimits.MaxOutputLength"/>.</summary>
    OutputLength,

    /// <summary><see cref="ChatTemplateLimits.MaxSteps"/>.</summary>
    Steps,
}
