using System.Collections.Concurrent;
using System.Diagnostics;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>/metrics in Prometheus text format, and one trace per request from the gateway to the workers.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class TelemetryTests(DefaultHost host)
{
    [Fact]
    public async Task Metrics_CountRequestsTokensAndLatencies()
    {
        var before = await host.ScrapeMetricsAsync();

        var (status, _) = await host.PostAsync("/v1/completions", new { prompt = "Count me", max_tokens = 5, ignore_eos = true });
        var (badStatus, _) = await host.PostAsync("/v1/completions", new { prompt = "Count me", max_tokens = "five" });
        await Task.Delay(1500); // a scrape refreshes the cluster gauges when they are older than a second: the next one sees them

        var after = await host.ScrapeMetricsAsync();
        Assert.Equal((200, 400), (status, badStatus));
        Assert.Equal(1, Delta("serving_requests_total{endpoint=\"completions\",outcome=\"ok\"}"));
        Assert.Equal(1, Delta("serving_requests_total{endpoint=\"completions\",outcome=\"400\"}"));
        Assert.Equal(5, Delta("serving_tokens_generated_total"));
        Assert.Equal(1, Delta("serving_request_time_to_first_token_seconds_count"));
        Assert.Equal(1, Delta("serving_request_time_per_output_token_seconds_count"));
        Assert.Equal(1, Delta("serving_request_e2e_latency_seconds_count"));
        Assert.Equal(4, Delta("serving_request_inter_token_latency_seconds_count"));
        Assert.True(Delta("serving_kv_transfer_bytes_total{direction=\"push\",outcome=\"ok\"}") > 0);
        Assert.Equal(1, GatewayHost.Metric(after, "serving_workers{role=\"prefill\"}"));
        Assert.Equal(1, GatewayHost.Metric(after, "serving_workers{role=\"decode\"}"));
        Assert.Contains(after.Keys, k => k.StartsWith("serving_worker_kv_usage{", StringComparison.Ordinal));

        double Delta(string series) => GatewayHost.Metric(after, series) - GatewayHost.Metric(before, series);
    }

    [Fact]
    public async Task OneRequest_OneTrace_FromGatewayThroughPrefillTransferAndDecode()
    {
        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("Serving.", StringComparison.Ordinal) || s.Name == "Microsoft.AspNetCore" || s.Name == Test.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId traceId;
        using (var root = Test.StartActivity("client request"))
        {
            traceId = root!.TraceId;
            var (status, _) = await host.PostAsync("/v1/completions", new { prompt = "Trace me", max_tokens = 3 });
            Assert.Equal(200, status);
        }

        var trace = spans.Where(s => s.TraceId == traceId).Select(s => s.OperationName).ToHashSet();
        Assert.Superset(new HashSet<string> { "generate", "route", "prefill", "kv.transfer", "decode" }, trace);
    }

    [Fact]
    public async Task Otlp_ExportsTheRequestsSpans_ToTheConfiguredCollector()
    {
        var (status, _) = await host.PostAsync("/v1/completions", new { prompt = "Export me", max_tokens = 2 });
        Assert.Equal(200, status);

        // Spans leave in batches (every 5 s by default).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Exported("traces", "kv.transfer") || !Exported("traces", "prefill"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no spans reached the collector; it got: {string.Join(", ", host.Collector.Exports.Keys)}");
            await Task.Delay(200);
        }

        // Protobuf keeps strings as UTF-8 bytes: a span's name appears verbatim in the export.
        bool Exported(string signal, string text) =>
            host.Collector.Exports.TryGetValue(signal, out var bodies) && bodies.Any(b => b.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0);
    }

    static readonly ActivitySource Test = new("Serving.EndToEnd.Tests");
}
