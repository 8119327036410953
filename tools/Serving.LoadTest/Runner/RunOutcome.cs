using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>Every request's result (in request order, none dropped), the run's duration and the client's own overhead.</summary>
internal sealed record RunOutcome(IReadOnlyList<RequestResult> Results, double DurationS, ClientOverhead Overhead);
