namespace Serving.GatewayBench.Client;

/// <summary>
/// One streamed completion as the client saw it: when each token event arrived (client clock) and when the fake
/// engine emitted it (read from the token's text; the same monotonic clock), and what went wrong, if anything.
/// </summary>
internal sealed class StreamResult
{
    public List<long> Received { get; } = [];
    public List<long> Emitted { get; } = [];
    public string? Error { get; set; }

    public bool Ok => Error is null;
    public long First => Received[0];
    public long Last => Received[^1];
}
