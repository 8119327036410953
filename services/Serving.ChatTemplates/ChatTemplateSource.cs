namespace Serving.ChatTemplates;

/// <summary>
/// A model folder's chat template text and the special tokens its tokenizer configuration names
/// (passed to the template as <c>bos_token</c> and <c>eos_token</c>).
/// </summary>
public sealed record ChatTemplateSource(string Template, string? BosToken, string? EosToken)
{
    /// <summary>Parses <see cref="Template"/>; throws <see cref="ChatTemplateException"/> when it cannot.</summary>
    public ChatTemplate Compile() => ChatTemplate.Parse(Template);
}
