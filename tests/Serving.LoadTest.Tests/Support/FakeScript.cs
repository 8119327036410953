namespace Serving.LoadTest.Tests.Support;

/// <summary>
/// What the fake server does for one base URL: the first token <see cref="TtftMs"/> after the request arrives (plus
/// <see cref="TtftPerInFlightMs"/> for every other request in flight: a server that slows under load), then one
/// token every <see cref="ItlMs"/>, max_tokens in all, a usage chunk when <see cref="Usage"/>, then [DONE]. Request k
/// (in arrival order) is answered in <c>Modes[k % Modes.Length]</c>. With <see cref="MaxConcurrent"/> it serves at
/// most that many requests at once and queues the rest (a server of known capacity: K / service time).
/// </summary>
public sealed record FakeScript(double TtftMs = 50, double ItlMs = 20, bool Usage = true, double TtftPerInFlightMs = 0, params FakeMode[] Modes)
{
    public int? MaxConcurrent { get; init; }

    /// <summary>
    /// A prefix-caching server: the usage's prompt_tokens counts the prompt's words (every message's), and
    /// prompt_tokens_details.cached_tokens is this share of them, rounded down.
    /// </summary>
    public double? CachedShare { get; init; }

    /// <summary>Every answer is its own ("a{arrival}t{i}" per token), and each request's body and answer are kept (<see cref="FakeOpenAiServer.Exchanges"/>).</summary>
    public bool Recorded { get; init; }

    /// <summary>Serves /metrics: Serving's counters, grown by every request of this script.</summary>
    public bool Metrics { get; init; }

    /// <summary>Seconds one request holds a slot: the first token, then the rest <see cref="ItlMs"/> apart.</summary>
    public double ServiceSeconds(int tokens) => (TtftMs + (tokens - 1) * ItlMs) / 1000;

    public FakeMode ModeFor(int arrival) => Modes.Length == 0 ? FakeMode.Ok : Modes[arrival % Modes.Length];
}
