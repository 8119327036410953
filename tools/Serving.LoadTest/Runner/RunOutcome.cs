using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>
/// Every request's result (in request order, none dropped), the run's duration and the client's own overhead; and
/// each request's tag (its conversation and turn or its prefix group, and the cached tokens the server reported), in
/// the same order.
/// </summary>
internal sealed record RunOutcome(IReadOnlyList<RequestResult> Results, double DurationS, ClientOverhead Overhead, IReadOnlyList<RequestTag> Tags);
