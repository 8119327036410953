namespace Serving.ChatTemplates;

/// <summary>
/// The template itself called <c>raise_exception(message)</c>, which is how chat templates reject a conversation
/// they cannot format (a system role the model lacks, roles that do not alternate). <see cref="Exception.Message"/>
/// is the template's message verbatim, fit to return to the caller; <see cref="ChatTemplateException.Line"/> and
/// <see cref="ChatTemplateException.Column"/> locate the call.
/// </summary>
public sealed class ChatTemplateRaiseException : ChatTemplateException
{
    /// <summary>Creates the exception for a template's own message raised at a 1-based line and column.</summary>
    public ChatTemplateRaiseException(string message, int line, int column)
        : base(message, line, column, null)
    {
    }
}
