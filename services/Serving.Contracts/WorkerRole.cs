namespace Serving.Contracts;

[GenerateSerializer]
public enum WorkerRole
{
    /// <summary>Computes prompts and pushes their KV to decode workers.</summary>
    Prefill,
    /// <summary>Continues requests whose KV it imported.</summary>
    Decode,
    /// <summary>Runs both phases itself (the colocated baseline).</summary>
    Mixed,
}
