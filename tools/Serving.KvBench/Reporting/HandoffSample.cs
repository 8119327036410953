namespace Serving.KvBench.Reporting;

/// <summary>
/// One disaggregated request, in ms on the shared clock. Prefill: start → prefill worker has its first token.
/// Handoff first/second: that moment → the decode worker's first output (the imported token) / second output (first
/// decode step). Acknowledged: that moment → the sender saw the receiver confirm the import. Groups queued: start →
/// each layer group's KV handed to the sender.
/// </summary>
internal sealed record HandoffSample(
    int Rep, int PromptTokens, int Groups, double PrefillMs, double HandoffFirstMs, double HandoffSecondMs,
    double EndToEndFirstMs, double AcknowledgedMs, double[] GroupsQueuedMs);
