using Serving.LoadTest.Metrics;
using Serving.LoadTest.ServerMetrics;
using Serving.LoadTest.Workloads;

namespace Serving.LoadTest.Output;

/// <summary>One run's records beyond its <c>RunRecord</c>: each request's tag (in request order), the prefix-cache summary and the server's counters (null when there is nothing to say).</summary>
internal sealed record RunExtras
{
    public static readonly RunExtras None = new();

    public IReadOnlyList<RequestTag> Requests { get; init; } = [];
    public PrefixCacheSummary? PrefixCache { get; init; }
    public ServerCounters? ServerCounters { get; init; }
}
