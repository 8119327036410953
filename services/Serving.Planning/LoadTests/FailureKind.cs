namespace Serving.Planning.LoadTests;

/// <summary>Why a request did not complete; every failed request carries exactly one.</summary>
public enum FailureKind
{
    /// <summary>The server answered with a non-2xx status.</summary>
    HttpStatus,
    /// <summary>The stream carried an error event (an OpenAI error object) instead of finishing.</summary>
    StreamError,
    /// <summary>An event was not valid JSON, or not an OpenAI chunk.</summary>
    MalformedStream,
    /// <summary>The stream closed before <c>data: [DONE]</c>.</summary>
    IncompleteStream,
    /// <summary>The stream finished without a single token.</summary>
    NoTokens,
    /// <summary>The per-request timeout elapsed.</summary>
    Timeout,
    /// <summary>The run was stopped (Ctrl+C) while the request was waiting or in flight.</summary>
    Cancelled,
    /// <summary>The connection failed (refused, reset).</summary>
    Connection,
}
