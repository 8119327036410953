namespace Serving.LoadTest.Soak.Client;

internal enum OutcomeKind
{
    /// <summary>A whole completion: every choice finished, nothing after the end.</summary>
    Completed,
    /// <summary>A deliberately invalid request refused with a 4xx OpenAI error, as it must be.</summary>
    Rejected,
    /// <summary>An OpenAI error object (as the status's body, or as the stream's error event): the server refused or failed cleanly.</summary>
    CleanError,
    /// <summary>The client walked away on purpose before the end.</summary>
    Disconnected,
    /// <summary>What a client must never see: a 500, a stack trace, an empty 200, tokens after finish_reason, a torn stream, a hang.</summary>
    Violation,
    /// <summary>The soak itself was stopped (Ctrl+C) while the request ran.</summary>
    Aborted,
}
