using Serving.LoadTest.ServerMetrics;

namespace Serving.LoadTest.Tests.ServerMetrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Parse_TheGatewaysKvSeries_ReadsNameLabelsAndValue()
    {
        const string Text = """
            # HELP serving_worker_kv_blocks_free Free KV blocks of a worker.
            # TYPE serving_worker_kv_blocks_free gauge
            serving_worker_kv_blocks_free{otel_scope_name="Serving.Gateway",role="decode",worker="127.0.0.1:18001@155675428|decode-0"} 4096
            serving_worker_kv_usage{otel_scope_name="Serving.Gateway",role="decode",worker="127.0.0.1:18001@155675428|decode-0"} 0.125 1700000000000
            serving_requests_in_flight 3

            """;

        var samples = PrometheusText.Parse(Text);

        Assert.Equal(3, samples.Count);
        Assert.Equal(("serving_worker_kv_blocks_free", 4096.0), (samples[0].Name, samples[0].Value));
        Assert.Equal("127.0.0.1:18001@155675428|decode-0", samples[0].Label("worker"));
        Assert.Equal("decode", samples[0].Label("role"));
        Assert.Equal(0.125, samples[1].Value);
        Assert.Equal(("serving_requests_in_flight", 3.0, 0), (samples[2].Name, samples[2].Value, samples[2].Labels.Count));
    }

    [Fact]
    public void Parse_EscapedQuotesAndCommasInLabelValues_KeepsThem()
    {
        var sample = Assert.Single(PrometheusText.Parse("m{a=\"x\\\"y,z\",b=\"\"} +Inf\n"));

        Assert.Equal("x\"y,z", sample.Label("a"));
        Assert.Equal("", sample.Label("b"));
        Assert.Equal(double.PositiveInfinity, sample.Value);
    }

    [Fact]
    public void Parse_MalformedLines_AreSkipped()
    {
        Assert.Empty(PrometheusText.Parse("m{a=\"unterminated 1\nnovalue\nm{a=x} 2\n"));
    }

    [Fact]
    public void Types_ReadsEachFamilysTypeLine()
    {
        var types = PrometheusText.Types("# HELP a_total A.\n# TYPE a_total counter\na_total 1\n# TYPE b histogram\n#TYPE c gauge\n");

        Assert.Equal(new Dictionary<string, string> { ["a_total"] = "counter", ["b"] = "histogram" }, types);
    }
}
