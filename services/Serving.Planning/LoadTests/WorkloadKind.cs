namespace Serving.Planning.LoadTests;

/// <summary>Where the requests come from.</summary>
public enum WorkloadKind
{
    /// <summary>Prompt and output lengths drawn from distributions.</summary>
    Synthetic,
    /// <summary>Conversations from a ShareGPT-format JSON file.</summary>
    ShareGpt,
    /// <summary>Arrival time, prompt length and output length per line.</summary>
    Trace,
}
