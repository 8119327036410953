using Serving.ChatTemplates.Evaluation;
using Serving.ChatTemplates.Loading;
using Serving.ChatTemplates.Syntax;

namespace Serving.ChatTemplates;

/// <summary>
/// A parsed Hugging Face chat template: the Jinja2 subset that model chat templates use, rendered the way
/// transformers' <c>apply_chat_template</c> does (trim_blocks, lstrip_blocks, no autoescape, <c>raise_exception</c>,
/// <c>strftime_now</c>, a <c>tojson</c> that keeps non-ASCII text). Immutable; safe to render from many threads.
/// Parsing and every render stay within <see cref="Limits"/>.
/// </summary>
public sealed class ChatTemplate
{
    private readonly IReadOnlyList<Statement> body;
    private readonly TimeProvider clock;

    private ChatTemplate(IReadOnlyList<Statement> body, TimeProvider clock, ChatTemplateLimits limits)
    {
        this.body = body;
        this.clock = clock;
        Limits = limits;
    }

    /// <summary>The budget of every render (and the nesting allowed when the template was parsed).</summary>
    public ChatTemplateLimits Limits { get; }

    /// <summary>Parses a template; throws <see cref="ChatTemplateException"/> for bad syntax or an unsupported tag, filter or test.</summary>
    public static ChatTemplate Parse(string source) => Parse(source, TimeProvider.System);

    /// <summary>Parses a template whose <c>strftime_now</c> reads the given clock's local time.</summary>
    public static ChatTemplate Parse(string source, TimeProvider clock) => Parse(source, clock, ChatTemplateLimits.Default);

    /// <summary>Parses a template with its own limits; nesting deeper than they allow is a <see cref="ChatTemplateLimitException"/>.</summary>
    public static ChatTemplate Parse(string source, ChatTemplateLimits limits) => Parse(source, TimeProvider.System, limits);

    /// <summary>Parses a template with a clock for <c>strftime_now</c> and its own limits.</summary>
    public static ChatTemplate Parse(string source, TimeProvider clock, ChatTemplateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        return new ChatTemplate(Parsing.Parser.Parse(source, limits.MaxNestingDepth), clock, limits);
    }

    /// <summary>
    /// Reads a model folder's chat template: <c>chat_template.jinja</c>, else <c>chat_template</c> in
    /// <c>tokenizer_config.json</c> (a string, or the entry named "default" of a list), with the
    /// <c>bos_token</c>/<c>eos_token</c> of <c>tokenizer_config.json</c>. Null when the folder has no chat template.
    /// </summary>
    public static ChatTemplateSource? Load(string modelFolder) => ChatTemplateLoader.Load(modelFolder);

    /// <summary>
    /// Renders the template. Variables are JSON-like values (null, bool, integers, floating point, string, lists,
    /// string-keyed dictionaries, <see cref="System.Text.Json.JsonElement"/>); the gateway passes <c>messages</c>,
    /// <c>add_generation_prompt</c>, <c>bos_token</c>, <c>eos_token</c> and <c>tools</c>. Throws
    /// <see cref="ChatTemplateRaiseException"/> when the template rejects the input, <see cref="ChatTemplateLimitException"/> when
    /// rendering it would exceed <see cref="Limits"/>, <see cref="ChatTemplateException"/> otherwise.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var scope = new Scope(Globals.Create(clock));
        foreach (var (name, value) in variables)
            scope.Set(name, ValueConverter.Convert(value));
        return BudgetState.Run(Limits, () => Renderer.Render(body, scope));
    }
}
