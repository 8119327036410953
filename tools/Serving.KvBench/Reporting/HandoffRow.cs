namespace Serving.KvBench.Reporting;

internal sealed record HandoffRow(int PromptTokens, int Groups, int Samples, double PrefillMs, double HandoffFirstMs, double HandoffSecondMs, double EndToEndFirstMs, double AcknowledgedMs);
