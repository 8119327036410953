using Serving.LoadTest.ServerMetrics;
using Serving.LoadTest.Tests.Support;

namespace Serving.LoadTest.Tests.ServerMetrics;

[Collection(FakeServerCollection.Name)]
public sealed class ServerCountersTests(FakeServerFixture fixture)
{
    const string Before = """
        # TYPE serving_kv_transfer_bytes_total counter
        serving_kv_transfer_bytes_total{direction="push",outcome="ok"} 1000
        serving_kv_transfer_bytes_total{direction="pull",outcome="ok"} 500
        serving_kv_transfer_bytes_created{direction="push",outcome="ok"} 1700000000
        # TYPE serving_router_decisions_total counter
        serving_router_decisions_total{reason="prefix"} 4
        # TYPE serving_prefix_cache_lookups_total counter
        serving_prefix_cache_lookups_total 10
        # TYPE serving_prefix_cache_hit_tokens gauge
        serving_prefix_cache_hit_tokens 77
        """;

    const string After = """
        # TYPE serving_kv_transfer_bytes_total counter
        serving_kv_transfer_bytes_total{direction="push",outcome="ok"} 9000
        serving_kv_transfer_bytes_total{direction="pull",outcome="ok"} 500
        serving_kv_transfer_bytes_total{direction="push",outcome="failed"} 100
        serving_kv_transfer_bytes_created{direction="push",outcome="ok"} 1700000000
        # TYPE serving_kv_transfer_bytes_per_request histogram
        serving_kv_transfer_bytes_per_request_bucket{le="+Inf"} 8
        serving_kv_transfer_bytes_per_request_sum 8100
        serving_kv_transfer_bytes_per_request_count 8
        # TYPE serving_kv_saved_bytes_total counter
        serving_kv_saved_bytes_total{worker="decode-0"} 4096
        # TYPE serving_router_decisions_total counter
        serving_router_decisions_total{reason="prefix"} 10
        serving_router_decisions_total{reason="least_loaded"} 2
        serving_router_decisions_total 1
        # TYPE serving_prefix_cache_lookups_total counter
        serving_prefix_cache_lookups_total 18
        # TYPE serving_prefix_cache_hit_tokens gauge
        serving_prefix_cache_hit_tokens 99
        """;

    [Fact]
    public void Between_SumsEachCounterFamilyOverItsLabelSets_AndLeavesOutTheRest()
    {
        var c = ServerCounters.Between(new MetricsSnapshot(Before), new MetricsSnapshot(After), requestsSent: 8)!;

        Assert.Equal(8100, c.KvTransferBytes); // the histogram sharing the prefix and the _created stamps are not counted
        Assert.Equal(1012.5, c.KvTransferBytesPerRequest);
        Assert.Equal(4096, c.KvSavedBytes); // a family that appeared during the run counts from 0
        Assert.Equal(8, c.PrefixCacheLookups);
        Assert.Null(c.PrefixCacheHitTokens); // a gauge is no counter
        Assert.Equal(new Dictionary<string, double> { ["prefix"] = 6, ["least_loaded"] = 2, ["unlabelled"] = 1 }, c.RouterDecisions);
    }

    [Fact]
    public void Between_AServerWithoutServingsCounters_OrAFailedScrape_SaysNothing()
    {
        var vllm = new MetricsSnapshot("# TYPE vllm:prompt_tokens_total counter\nvllm:prompt_tokens_total 120\n");

        Assert.Null(ServerCounters.Between(vllm, vllm, 5));
        Assert.Null(ServerCounters.Between(null, new MetricsSnapshot(After), 5));
        Assert.Null(ServerCounters.Between(new MetricsSnapshot(Before), null, 5));
    }

    [Fact]
    public async Task TryScrapeAsync_ReadsTheServersMetrics_OrNullWhenThereAreNone()
    {
        var served = await MetricsSnapshot.TryScrapeAsync(Harness.Http, fixture.Server.BaseUrl("prefix"), CancellationToken.None);
        var missing = await MetricsSnapshot.TryScrapeAsync(Harness.Http, fixture.Server.BaseUrl("fast"), CancellationToken.None);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var unreachable = await MetricsSnapshot.TryScrapeAsync(Harness.Http, new Uri($"http://127.0.0.1:{port}/"), CancellationToken.None);

        Assert.NotNull(served!.Sum(ServerCounters.RouterDecisionFamily));
        Assert.Null(missing);
        Assert.Null(unreachable);
    }
}
