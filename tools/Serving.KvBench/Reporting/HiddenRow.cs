namespace Serving.KvBench.Reporting;

/// <summary>
/// Transfer time hidden by streaming: end-to-end time to the decode worker's first output with all KV sent after
/// the prefill (groups = 1) minus with streaming, relative to the handoff time without streaming. The exposed
/// handoff shrinks by <see cref="ExposedReduction"/>; the two differ by whatever streaming adds to the prefill itself.
/// </summary>
internal sealed record HiddenRow(int PromptTokens, int Groups, double TransferMs, double StreamedHandoffMs, double SavedMs, double HiddenFraction, double ExposedReduction);
