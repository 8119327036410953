namespace Serving.Gateway.Requests;

/// <summary>
/// What one API request may hold. Each bound is checked before any work it would cost is done, and exceeding it is
/// a 400 (413 for the body) naming the parameter and the limit.
/// </summary>
public sealed record RequestLimits
{
    /// <summary>Request body size (JSON), bytes.</summary>
    public long MaxBodyBytes { get; init; } = 4L << 20;

    /// <summary>Messages in one chat request.</summary>
    public int MaxMessages { get; init; } = 1024;

    /// <summary>Tool definitions in one chat request.</summary>
    public int MaxTools { get; init; } = 128;

    /// <summary>Stop strings, each checked against the text at every token.</summary>
    public int MaxStop { get; init; } = 16;

    /// <summary>Characters in one stop string.</summary>
    public int MaxStopLength { get; init; } = 256;

    /// <summary>Token ids in stop_token_ids.</summary>
    public int MaxStopTokenIds { get; init; } = 64;
}
