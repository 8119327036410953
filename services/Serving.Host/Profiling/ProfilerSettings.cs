namespace Serving.Host.Profiling;

/// <summary>What the profiler measures and how often.</summary>
/// <param name="Quick">Fewer and smaller points (tests, CI); the fit is looser.</param>
/// <param name="Repeats">Timings per point; the median is kept.</param>
/// <param name="KvBandwidthBytesPerSecond">KV transfer bandwidth to record; null measures it (<see cref="KvTransferProbe"/>).</param>
/// <param name="KvLatencySeconds">Fixed cost of one KV transfer to record; null measures it.</param>
/// <param name="Seed">Seed of the random prompt tokens.</param>
internal sealed record ProfilerSettings(
    bool Quick = false,
    int Repeats = 5,
    double? KvBandwidthBytesPerSecond = null,
    double? KvLatencySeconds = null,
    int Seed = 1)
{
    /// <summary>Prompt batches (lengths of each prompt) whose prefill is timed; batches of short prompts move Σlen² apart from Σlen.</summary>
    public IReadOnlyList<int[]> PrefillBatches => Quick
        ? [[32], [128], [256], [512], [32, 32, 32, 32, 32, 32, 32, 32], [64, 64, 64, 64], [128, 128, 128, 128], [256, 256], [48, 48, 48, 48, 48, 48], [384], [768],
           [64], [192], [96, 96], [640], [64, 64, 64, 64, 64, 64]]
        : [[32], [64], [128], [192], [256], [384], [512], [640], [768], [1024],
           [32, 32, 32, 32, 32, 32, 32, 32], [64, 64, 64, 64], [64, 64, 64, 64, 64, 64, 64, 64], [128, 128, 128, 128],
           [128, 128, 128, 128, 128, 128, 128, 128], [256, 256], [256, 256, 256, 256], [512, 512], [32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32],
           [48, 48, 48, 48, 48, 48], [96, 96, 96], [384, 384]];

    /// <summary>Decode batch sizes timed.</summary>
    public IReadOnlyList<int> DecodeBatchSizes => Quick ? [1, 2, 4, 8, 16, 32] : [1, 2, 4, 8, 12, 16, 24, 32];

    /// <summary>
    /// Context per request (short and long) for each decode batch size. The full grid reaches 2,048 tokens: the
    /// context term fitted on short contexts alone underpredicted decode steps of 1–2K-token prompts ≈ 3× (a batch
    /// that does not fit the engine's KV pool is skipped).
    /// </summary>
    public IReadOnlyList<int> DecodeContexts => Quick ? [32, 256] : [32, 256, 768, 2048];

    /// <summary>Layered-prefill group counts timed (capped by the model's layers).</summary>
    public IReadOnlyList<int> LayerGroups => [1, 2, 4, 8];

    /// <summary>Prompt length of the timed KV transfers (the bandwidth figure).</summary>
    public int KvProbeTokens => Quick ? 512 : 2048;

    /// <summary>Prompt length of the layered-prefill timings.</summary>
    public int LayerGroupPromptTokens => Quick ? 256 : 512;
}
