namespace Serving.LoadTest.Soak;

/// <summary>The soak's requests: how each ended, and how many of each kind were sent.</summary>
/// <param name="DisconnectsPlanned">Requests the client meant to abandon (some finish first and count as completed).</param>
internal sealed record SoakRequestCounts(
    int Sent,
    int Completed,
    int Rejected,
    int CleanErrors,
    int Disconnected,
    int Violations,
    int Aborted,
    int Streamed,
    int MultiChoice,
    int LongPrompts,
    int Chat,
    int Invalid,
    int DisconnectsPlanned,
    double PerSecond);
