using Serving.LoadTest.Metrics;
using Serving.LoadTest.Runner;

namespace Serving.LoadTest.Output;

/// <summary>One run in the result file: the rate asked for (null when not a rate), its summary, the client's overhead and every request.</summary>
internal sealed record RunRecord(double? Rate, RunSummary Summary, ClientOverhead ClientOverhead, double? LoadAverageAfter, IReadOnlyList<RequestResult> Requests);
