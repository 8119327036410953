using System.Text;
using Serving.LoadTest.Soak;
using Serving.LoadTest.Soak.Client;
using Serving.LoadTest.Soak.Requests;
using Serving.LoadTest.Soak.Target;
using Serving.LoadTest.Tests.Support;
using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Tests.Soak;

/// <summary>The soak's client against the scripted fake server: every ending is an outcome, and the client's own departures are told apart from the server's faults.</summary>
[Collection(FakeServerCollection.Name)]
public sealed class SoakClientTests(FakeServerFixture fixture)
{
    static SoakRequest Request(bool stream = true, DisconnectPlan? disconnect = null) =>
        new(0, ApiKind.Completions, stream, 1, 1, Encoding.UTF8.GetBytes("""{"model":"fake-model","prompt":"hello","max_tokens":10}"""), null, disconnect);

    Task<SoakOutcome> Send(string script, SoakRequest request, double deadlineS = 30) =>
        new SoakClient(Harness.Http, fixture.Server.BaseUrl(script), TimeSpan.FromSeconds(deadlineS), SoakClock.StartNow()).SendAsync(request, CancellationToken.None);

    [Fact]
    public async Task SendAsync_AStreamThatStopsProducing_IsAHangAtTheDeadline()
    {
        var outcome = await Send("hang", Request(), deadlineS: 1);

        Assert.Equal(OutcomeKind.Violation, outcome.Kind);
        Assert.Contains("no complete answer within 1 s (a hang)", outcome.Detail);
        Assert.InRange(outcome.EndS - outcome.StartS, 0.9, 10);
    }

    [Fact]
    public async Task SendAsync_PlannedDisconnectMidStream_LeavesAfterThatManyChunks()
    {
        var outcome = await Send("steady", Request(disconnect: new DisconnectPlan(2, TimeSpan.FromSeconds(5))));

        Assert.Equal((OutcomeKind.Disconnected, 2), (outcome.Kind, outcome.Chunks));
        Assert.True(outcome.EndS - outcome.StartS < 1, $"left after {outcome.EndS - outcome.StartS:0.00} s");
    }

    [Fact]
    public async Task SendAsync_PlannedDisconnectOfAWholeRequest_LeavesBeforeTheAnswer()
    {
        var outcome = await Send("steady", Request(stream: false, disconnect: new DisconnectPlan(1, TimeSpan.FromMilliseconds(20))));

        Assert.Equal(OutcomeKind.Disconnected, outcome.Kind);
    }

    [Theory]
    [InlineData("always500", "Violation", "500 (an unhandled failure): scripted failure")]
    [InlineData("errorevent", "CleanError", "stream error: scripted stream failure")]
    [InlineData("nodone", "Violation", "the stream ended without [DONE] or an error event")]
    // The fake never sends a finish_reason: OpenAI's streams always do.
    [InlineData("fast", "Violation", "[DONE] before choice(s) 0 got a finish_reason")]
    public async Task SendAsync_ScriptedEndings_AreJudged(string script, string kind, string detail)
    {
        var outcome = await Send(script, Request());

        Assert.Equal((Enum.Parse<OutcomeKind>(kind), detail), (outcome.Kind, outcome.Detail));
    }

    [Fact]
    public async Task SendAsync_NobodyListening_IsAFailedConnection()
    {
        var client = new SoakClient(Harness.Http, new Uri($"http://127.0.0.1:{FreePort.Next()}/"), TimeSpan.FromSeconds(10), SoakClock.StartNow());

        var outcome = await client.SendAsync(Request(), CancellationToken.None);

        Assert.Equal(OutcomeKind.Violation, outcome.Kind);
        Assert.StartsWith("the connection failed", outcome.Detail);
    }
}
