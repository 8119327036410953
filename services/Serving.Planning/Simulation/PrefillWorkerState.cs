namespace Serving.Planning.Simulation;

/// <summary>A prefill-only worker: an FCFS queue and the batch in flight.</summary>
internal sealed class PrefillWorkerState
{
    public Queue<RequestState> Queue { get; } = new();

    public List<RequestState> Batch { get; } = [];

    /// <summary>Prompt tokens to compute (past cached prefixes), queued or in flight; routing sends new prompts to the smallest.</summary>
    public long PendingTokens { get; set; }

    public bool Busy => Batch.Count > 0;
}
