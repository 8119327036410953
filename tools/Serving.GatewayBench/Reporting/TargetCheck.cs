namespace Serving.GatewayBench.Reporting;

/// <summary>One of the targets, whether it is met, and the measured figure.</summary>
internal sealed record TargetCheck(string Target, bool Met, string Measured);
