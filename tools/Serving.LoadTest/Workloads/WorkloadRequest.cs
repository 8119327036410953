namespace Serving.LoadTest.Workloads;

/// <summary>One request to send: its prompt, its length in tokens (target or measured), the output tokens to ask for, and a trace's arrival time.</summary>
internal sealed record WorkloadRequest(int Index, string Prompt, int PromptTokens, int OutputTokens, double? ArrivalS = null);
