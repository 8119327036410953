namespace Serving.ChatTemplates;

/// <summary>
/// A chat template could not be parsed, uses a feature outside the supported Jinja subset, or failed while rendering.
/// When the problem has a place in the template, the message reads "chat template line L, column C: ..." and
/// <see cref="Line"/> and <see cref="Column"/> are set.
/// </summary>
public class ChatTemplateException : Exception
{
    /// <summary>Creates an exception for a problem that has no place in the template (a missing or unreadable file).</summary>
    public ChatTemplateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception for a problem at a 1-based line and column of the template.</summary>
    public ChatTemplateException(string problem, int line, int column)
        : this($"chat template line {line}, column {column}: {problem}", line, column, null)
    {
    }

    /// <summary>Creates an exception with a message used verbatim and an optional place in the template.</summary>
    protected ChatTemplateException(string message, int? line, int? column, Exception? innerException)
        : base(message, innerException)
    {
        Line = line;
        Column = column;
    }

    /// <summary>The 1-based template line of the problem, when it has one.</summary>
    public int? Line { get; }

    /// <summary>The 1-based template column of the problem, when it has one.</summary>
    public int? Column { get; }
}
