namespace Serving.Model.Tokenization;

/// <summary>
/// The pre-tokenizer's split pattern (from tokenizer.json) ran past its match timeout on a piece of the text: the
/// pattern backtracks too much on this input. The text cannot be tokenized with this tokenizer; retrying will not help.
/// </summary>
public sealed class TokenizerTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a pattern, the timeout it ran past and the regex engine's own exception.</summary>
    public TokenizerTimeoutException(string pattern, TimeSpan matchTimeout, Exception innerException)
        : base($"tokenizing took longer than its match timeout ({matchTimeout.TotalMilliseconds:0} ms) on one piece of the text: "
            + $"the pre-tokenizer pattern {Shorten(pattern)} backtracks too much on this input", innerException)
    {
        Pattern = pattern;
        MatchTimeout = matchTimeout;
    }

    /// <summary>The pre-tokenizer's split pattern.</summary>
    public string Pattern { get; }

    /// <summary>The longest one match of <see cref="Pattern"/> may take.</summary>
    public TimeSpan MatchTimeout { get; }

    private static string Shorten(string pattern) => pattern.Length <= 80 ? $"'{pattern}'" : $"'{pattern[..77]}...'";
}
