using Serving.Contracts;
using Serving.Engine.Core;

namespace Serving.Cluster.Workers;

/// <summary>
/// How the operator wants prompts prefilled on workers that also decode: layered (G layer groups a prompt advances
/// per step beside the decodes) or chunked (at most C prompt tokens per step). The planner changes G at runtime.
/// </summary>
public sealed record ClusterEngineSettings(int PrefillLayerGroups = 1, int PrefillChunkTokens = 0);

/// <summary>
/// The prefill settings a worker's engine runs with in a role: the one rule, used when a worker starts and whenever
/// the planner switches its role. A prefill worker has no decodes to protect and prefills whole prompts (G = 1,
/// no chunks); a decode or mixed worker takes the cluster's chunks when chunked prefill is on, else its G.
/// </summary>
public sealed record RoleEngineSettings(int PrefillLayerGroups, int PrefillChunkTokens)
{
    public static RoleEngineSettings For(WorkerRole role, ClusterEngineSettings cluster) => role switch
    {
        WorkerRole.Prefill => new(1, 0),
        _ when cluster.PrefillChunkTokens > 0 => new(1, cluster.PrefillChunkTokens),
        _ => new(Math.Max(1, cluster.PrefillLayerGroups), 0),
    };

    /// <summary>The engine options of a worker in this role.</summary>
    public EngineOptions ApplyTo(EngineOptions options) =>
        options with { PrefillLayerGroups = PrefillLayerGroups, PrefillChunkTokens = PrefillChunkTokens };

    /// <summary>Sets them on a running engine (on its loop thread); G must be at most the model's layer count.</summary>
    public void ApplyTo(LlmEngine engine)
    {
        // The two modes are alternatives: turn both off before turning one on.
        engine.PrefillChunkTokens = 0;
        engine.PrefillLayerGroups = PrefillLayerGroups;
        engine.PrefillChunkTokens = PrefillChunkTokens;
    }
}
