namespace Serving.Contracts;

/// <summary>A worker as the router knows it: its grain key (silo and name), role, and where its process receives KV.</summary>
/// <param name="LayerGroups">G of its engine: layer groups a locally prefilled prompt advances in, one per step.</param>
/// <param name="KvCapacityTokens">Tokens its KV cache holds.</param>
/// <param name="Leaving">Its process is shutting down: it takes no new work while its running requests finish.</param>
/// <param name="KvBlockSize">Tokens per KV block: the unit its prefix cache holds prompts in (the router hashes prompts by it).</param>
[GenerateSerializer, Immutable]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] WorkerRole Role,
    [property: Id(2)] string KvAddress,
    [property: Id(3)] int LayerGroups = 1,
    [property: Id(5)] long KvCapacityTokens = 0,
    [property: Id(6)] bool Leaving = false,
    [property: Id(7)] int KvBlockSize = 16);
