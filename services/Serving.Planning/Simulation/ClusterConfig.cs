namespace Serving.Planning.Simulation;

/// <summary>One candidate cluster configuration.</summary>
/// <param name="PrefillWorkers">Workers that only prefill and stream KV out.</param>
/// <param name="DecodeWorkers">Workers that decode; they also prefill prompts of up to <paramref name="ShortPromptThreshold"/> uncached tokens locally.</param>
/// <param name="MixedWorkers">Workers that take both phases (colocated serving).</param>
/// <param name="LayerGroups">G: local prefills on decode and mixed workers run one of G layer groups per iteration (1 = prefill-first).</param>
/// <param name="ShortPromptThreshold">
/// Prompts with at most this many tokens past their cached prefix skip the prefill pool (0 = never), as the router's
/// prefix-aware policy decides.
/// </param>
/// <param name="MaxBatchedPrefillTokens">Token budget of one prefill batch (a single longer prompt still runs alone).</param>
/// <param name="MaxDecodeBatch">Most requests decoding together on one worker.</param>
/// <param name="KvCapacityTokens">KV cache capacity of each worker, in tokens.</param>
/// <param name="PrefillChunkTokens">
/// C &gt; 0: chunked prefill on decode and mixed workers instead (each iteration decodes and prefills at most C prompt
/// tokens, a prompt's later chunks attending to its earlier ones); the engine's comparison baseline. 0 = off.
/// </param>
public sealed record ClusterConfig(
    int PrefillWorkers,
    int DecodeWorkers,
    int MixedWorkers,
    int LayerGroups = 1,
    int ShortPromptThreshold = 0,
    int MaxBatchedPrefillTokens = 4096,
    int MaxDecodeBatch = 64,
    long KvCapacityTokens = 1 << 20,
    int PrefillChunkTokens = 0)
{
    /// <summary>All workers of the configuration.</summary>
    public int Workers => PrefillWorkers + DecodeWorkers + MixedWorkers;

    /// <summary>Whether any prompt is prefilled beside decodes (so G matters): colocated, or below the short-prompt threshold.</summary>
    public bool PrefillsLocally => PrefillWorkers == 0 || ShortPromptThreshold > 0;

    /// <summary>Throws when the configuration cannot serve a request.</summary>
    public void Validate()
    {
        if (PrefillWorkers < 0 || DecodeWorkers < 0 || MixedWorkers < 0)
            throw new ArgumentException("Worker counts cannot be negative.");
        if (DecodeWorkers + MixedWorkers == 0)
            throw new ArgumentException("At least one decode or mixed worker is needed.");
        if (LayerGroups < 1) throw new ArgumentException("LayerGroups must be at least 1.");
        if (PrefillChunkTokens < 0) throw new ArgumentException("PrefillChunkTokens cannot be negative.");
        if (PrefillChunkTokens > 0 && LayerGroups > 1)
            throw new ArgumentException("Chunked prefill (PrefillChunkTokens > 0) and layered prefill (LayerGroups > 1) are alternatives.");
        if (MaxBatchedPrefillTokens < 1 || MaxDecodeBatch < 1 || KvCapacityTokens < 2)
            throw new ArgumentException("Batch limits and KV capacity must be positive.");
    }

    /// <summary>A short label such as <c>2P+2D G4 T256</c> or <c>4M G2</c>.</summary>
    public string Shape =>
        string.Join('+', new[] { (PrefillWorkers, "P"), (DecodeWorkers, "D"), (MixedWorkers, "M") }
            .Where(w => w.Item1 > 0).Select(w => $"{w.Item1}{w.Item2}"));
}
