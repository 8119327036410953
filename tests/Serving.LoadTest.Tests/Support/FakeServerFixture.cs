using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Support;

/// <summary>One fake server for the whole test assembly, with every script the tests use.</summary>
public sealed class FakeServerFixture : IAsyncLifetime
{
    public FakeOpenAiServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeOpenAiServer.StartAsync(Scripts);
        // Warm both endpoints (JIT, first connection) so the first timed test does not measure start-up.
        foreach (var api in new[] { ApiKind.Completions, ApiKind.Chat })
            await Harness.Client(Server.BaseUrl("fast"), api).SendAsync(new(0, "warm up", 2, 4), CancellationToken.None);
    }

    static readonly Dictionary<string, FakeScript> Scripts = new()
    {
        ["steady"] = new(TtftMs: 50, ItlMs: 20),
        ["nousage"] = new(TtftMs: 20, ItlMs: 10, Usage: false),
        ["fast"] = new(TtftMs: 5, ItlMs: 2),
        ["mixed"] = new(10, 5, true, 0, FakeMode.Ok, FakeMode.Http500, FakeMode.ErrorEvent, FakeMode.MalformedJson, FakeMode.NoDone, FakeMode.Ok),
        ["malformed"] = new(10, 5, true, 0, FakeMode.MalformedJson),
        ["hang"] = new(10, 5, true, 0, FakeMode.Hang),
        ["always500"] = new(10, 5, true, 0, FakeMode.Http500),
        ["errorevent"] = new(10, 5, true, 0, FakeMode.ErrorEvent),
        ["nodone"] = new(10, 5, true, 0, FakeMode.NoDone),
        ["loaded"] = new(TtftMs: 10, ItlMs: 4, TtftPerInFlightMs: 12),
        // At most 4 at a time, 100 ms to the first token and 19 more 20 ms apart: 0.48 s each, so it sustains 8.33 req/s.
        ["capped"] = new(TtftMs: 100, ItlMs: 20) { MaxConcurrent = 4 },
        // The same requests, 16 at a time: 33.3 req/s, so a few seconds of probe hold enough requests to judge.
        ["capped16"] = new(TtftMs: 100, ItlMs: 20) { MaxConcurrent = 16 },
        // Conversations and shared prefixes: each answer its own and kept, half of every prompt cached, Serving's counters on /metrics.
        ["prefix"] = new(TtftMs: 5, ItlMs: 2) { Recorded = true, CachedShare = 0.5, Metrics = true },
        // The same without cached_tokens or /metrics: another server, or Serving before it reported them.
        ["prefixless"] = new(TtftMs: 5, ItlMs: 2) { Recorded = true },
    };

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
