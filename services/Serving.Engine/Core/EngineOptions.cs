using Serving.Engine.Scheduling;

namespace Serving.Engine.Core;

/// <summary>How one engine (one worker's model replica, KV pool and batching loop) is set up.</summary>
public sealed record EngineOptions
{
    /// <summary>A Hugging Face checkpoint folder; null uses the project's default tiny model (created on first use).</summary>
    public string? ModelPath { get; init; }

    /// <summary>float32, bfloat16, float16, or auto (float32 on CPU, the checkpoint's dtype on CUDA).</summary>
    public string DType { get; init; } = "auto";

    /// <summary>cpu, cuda, cuda:N, or auto (cuda when available, else cpu).</summary>
    public string Device { get; init; } = "auto";

    /// <summary>libtorch intra-op threads; null leaves the process setting alone. Process-wide in libtorch.</summary>
    public int? NumThreads { get; init; }

    public int BlockSize { get; init; } = 16;

    /// <summary>Memory for the KV pool; the number of blocks follows from it.</summary>
    public long KvCacheBytes { get; init; } = 512L << 20;

    /// <summary>Overrides <see cref="KvCacheBytes"/> with an exact block count (tests use tiny pools).</summary>
    public int? NumBlocks { get; init; }

    public bool EnablePrefixCaching { get; init; } = true;

    /// <summary>Layer groups a prefill whose KV leaves this engine is computed in; each group's KV is exported as it completes.</summary>
    public int KvExportLayerGroups { get; init; } = 4;

    /// <summary>Layer groups a prompt is prefilled in, one per step beside the decodes (layered prefill); 1 runs mixed batches.</summary>
    public int PrefillLayerGroups { get; init; } = 1;

    /// <summary>Most prompt tokens a step prefills beside the decodes (chunked prefill); 0 prefills whole prompts. Not with layered prefill.</summary>
    public int PrefillChunkTokens { get; init; }

    public SchedulerOptions Scheduler { get; init; } = new();
}
