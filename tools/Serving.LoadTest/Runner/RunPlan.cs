using Serving.LoadTest.Workloads;

namespace Serving.LoadTest.Runner;

/// <summary>One run: the requests, when each is due (seconds from the start), an optional cap on requests in flight, and the rate it was asked for (null: not a rate).</summary>
internal sealed record RunPlan(IReadOnlyList<WorkloadRequest> Requests, double[] ArrivalsS, int? MaxConcurrency, double? Rate);
