using Serving.LoadTest.Metrics;
using Serving.LoadTest.Tests.Support;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Client;

[Collection(FakeServerCollection.Name)]
public sealed class StreamingClientTests(FakeServerFixture fixture)
{
    FakeOpenAiServer Server => fixture.Server;

    async Task<RequestResult> Send(string script, int tokens = 8, ApiKind api = ApiKind.Completions, double timeoutS = 30, CancellationToken ct = default) =>
        (await Harness.Client(Server.BaseUrl(script), api, timeoutS).SendAsync(new WorkloadRequest(0, "hello", 3, tokens), ct)).Result;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendAsync_SteadyScript_TimesEveryTokenAndReadsUsage(bool chat)
    {
        var results = new List<RequestResult>();
        for (var i = 0; i < 5; i++)
            results.Add(await Send("steady", tokens: 10, api: chat ? ApiKind.Chat : ApiKind.Completions));
        Assert.All(results, r =>
        {
            Assert.True(r.Success, r.Error);
            Assert.Equal((7, 10, false), (r.PromptTokens, r.OutputTokens, r.TokensApproximate));
            Assert.Equal(9, r.ItlsMs.Length);
            Assert.Equal(r.E2elMs - r.TtftMs, r.ItlsMs.Sum(), tolerance: 0.01); // each value is rounded to µs
        });
        // Scripted: first token at 50 ms, then every 20 ms. Medians of five, because a shared 2-core box can stall
        // any one request for hundreds of ms. A late timer only delays, so the TTFT's lower bound is tight and its
        // upper one loose (+30 ms). Token deadlines are absolute, so E2E − TTFT is the script's 9 × 20 ms give or
        // take the lateness of the first and last token (±25 ms).
        Assert.InRange(Median(results.Select(r => r.TtftMs)), 49, 80);
        Assert.InRange(Median(results.Select(r => r.E2elMs - r.TtftMs)), 155, 205);
        Assert.InRange(Median(results.Select(r => r.TpotMs!.Value)), 155.0 / 9, 205.0 / 9);
    }

    static double Median(IEnumerable<double> values) => Percentiles.Of([.. values.Order()], 50);

    [Fact]
    public async Task SendAsync_NoUsageChunk_CountsTextChunksAsApproximate()
    {
        var r = await Send("nousage", tokens: 6);
        Assert.True(r.Success, r.Error);
        Assert.Equal((6, true), (r.OutputTokens, r.TokensApproximate));
        Assert.Equal(3, r.PromptTokens); // the workload's own count
    }

    [Fact]
    public async Task SendAsync_MalformedStream_IsAnErrorNotACrash()
    {
        var r = await Send("malformed");
        Assert.False(r.Success);
        Assert.Equal(FailureKind.MalformedStream, r.Failure);
        Assert.Contains("not JSON", r.Error);
    }

    [Fact]
    public async Task SendAsync_Timeout_IsReportedAsTimeout()
    {
        var r = await Send("hang", timeoutS: 0.3);
        Assert.Equal(FailureKind.Timeout, r.Failure);
        Assert.Equal("timeout", r.FailureLabel);
    }

    [Fact]
    public async Task SendAsync_RunStopped_IsReportedAsCancelled()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var r = await Send("hang", ct: stop.Token);
        Assert.Equal(FailureKind.Cancelled, r.Failure);
    }

    [Fact]
    public async Task SendAsync_NothingListening_IsAConnectionFailure()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var r = (await Harness.Client(new Uri($"http://127.0.0.1:{port}/")).SendAsync(new WorkloadRequest(0, "x", 1, 4), CancellationToken.None)).Result;
        Assert.Equal(FailureKind.Connection, r.Failure);
    }
}
