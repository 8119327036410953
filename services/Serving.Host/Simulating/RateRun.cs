using Serving.Planning.Simulation;

namespace Serving.Host.Simulating;

/// <summary>One rate to simulate: its requests, and what a load test measured for the same requests (null when there was none).</summary>
/// <param name="Rate">Requests per second; null for a load-test run that was not paced by a rate (all at once, a trace).</param>
internal sealed record RateRun(double? Rate, IReadOnlyList<SimRequest> Requests, IReadOnlyList<RequestOutcome>? Measured);
