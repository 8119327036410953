namespace Serving.Planning.Simulation;

/// <summary>A worker that decodes (decode or mixed role): running batch, KV arrivals waiting, and local prefills.</summary>
internal sealed class DecodeWorkerState
{
    public List<RequestState> Running { get; } = [];

    /// <summary>Requests whose KV arrived from a prefill worker, waiting for a batch slot and KV room.</summary>
    public Queue<RequestState> Waiting { get; } = new();

    /// <summary>Prompts to prefill here, and preempted requests to recompute (those go to the front).</summary>
    public LinkedList<RequestState> PrefillQueue { get; } = new();

    /// <summary>The local prefill batch moving through the layer groups.</summary>
    public List<RequestState> PrefillBatch { get; } = [];

    public long PrefillBatchTokens { get; set; }

    public double PrefillBatchSumSquares { get; set; }

    public int GroupsDone { get; set; }

    /// <summary>Chunked prefill: prompts admitted (KV reserved) whose prefill is under way, oldest first.</summary>
    public List<RequestState> Chunking { get; } = [];

    /// <summary>Chunked prefill: the prompt tokens this iteration computes, per prompt.</summary>
    public List<(RequestState Request, long Tokens)> Chunks { get; } = [];

    /// <summary>Requests in the worker's batch: decoding, prefilling beside the decodes, or part way through chunks.</summary>
    public int BatchCount => Running.Count + PrefillBatch.Count + Chunking.Count;

    public long UsedKv { get; set; }

    /// <summary>Requests sent here and not finished (in transfer, waiting, queued, running); the routing load.</summary>
    public int Assigned { get; set; }

    /// <summary>The run's assignment count when this worker was last given a request: ties go to the longest ago, as in the router.</summary>
    public long LastAssigned { get; set; }

    public bool Busy { get; set; }
}
