namespace Serving.Contracts;

/// <summary>
/// What the planner sets on a running cluster: how many workers take each role, the layer groups G of workers that
/// prefill locally, and the prompt length up to which decode workers prefill themselves instead of the prefill pool.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ClusterSetup(
    [property: Id(0)] int PrefillWorkers,
    [property: Id(1)] int DecodeWorkers,
    [property: Id(2)] int MixedWorkers,
    [property: Id(3)] int LayerGroups = 1,
    [property: Id(4)] int ShortPromptThreshold = 0)
{
    public int Workers => PrefillWorkers + DecodeWorkers + MixedWorkers;

    public int Count(WorkerRole role) => role switch
    {
        WorkerRole.Prefill => PrefillWorkers,
        WorkerRole.Decode => DecodeWorkers,
        _ => MixedWorkers,
    };
}
