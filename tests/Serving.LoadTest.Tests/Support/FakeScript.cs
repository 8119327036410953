namespace Serving.LoadTest.Tests.Support;

/// <summary>
/// What the fake server does for one base URL: the first token <see cref="TtftMs"/> after the request arrives (plus
/// <see cref="TtftPerInFlightMs"/> for every other request in flight: a server that slows under load), then one
/// token every <see cref="ItlMs"/>, max_tokens in all, a usage chunk when <see cref="Usage"/>, then [DONE]. Request k
/// (in arrival order) is answered in <c>Modes[k % Modes.Length]</c>.
/// </summary>
public sealed record FakeScript(double TtftMs = 50, double ItlMs = 20, bool Usage = true, double TtftPerInFlightMs = 0, params FakeMode[] Modes)
{
    public FakeMode ModeFor(int arrival) => Modes.Length == 0 ? FakeMode.Ok : Modes[arrival % Modes.Length];
}
