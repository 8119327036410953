namespace Serving.GatewayBench.Fake;

/// <summary>
/// One fake step: how late it woke after its interval (the fake's own jitter), the loop's time between the previous
/// step and this one (NaN after an idle loop), and how many requests it served.
/// </summary>
internal readonly record struct StepSample(double LateMs, double BetweenMs, int Batch);
