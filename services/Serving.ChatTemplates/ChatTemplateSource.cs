namespace Serving.ChatTemplates;

/// <summary>
/// A model folder's chat template text and the special tokens its tokenizer configuration names
/// (passed to the template as <c>bos_token</c> and <c>eos_token</c>).
/// </summary>
public sealed record ChatTemplateSource(string Template, string? BosToken, string? EosToken)
{
    /// <summary>Parses <see cref="Template"/>; throws <see cref="ChatTemplateException"/> when it cannot.</summary>
    public ChatTemplate Compile() => ChatTemplate.Parse(Template);

    /// <summary>Parses <see cref="Template"/> with the given limits; throws <see cref="ChatTemplateException"/> when it cannot.</summary>
    public ChatTemplate Compile(ChatTemplateLimits limits) => ChatTemplate.Parse(Template, limits);
}
