namespace Serving.LoadTest.Workloads;

/// <summary>One request to send: its prompt, its length in tokens (target or measured), the output tokens to ask for, and a trace's arrival time.</summary>
internal sealed record WorkloadRequest(int Index, string Prompt, int PromptTokens, int OutputTokens, double? ArrivalS = null)
{
    /// <summary>What the chat endpoint is sent instead of one user message holding <see cref="Prompt"/>: a conversation's history, a shared system text and a question.</summary>
    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    /// <summary>Where the request sits in a conversation or a prefix group (empty for the other workloads).</summary>
    public RequestTag Tag { get; init; } = RequestTag.None;
}
