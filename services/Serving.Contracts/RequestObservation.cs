namespace Serving.Contracts;

/// <summary>
/// One finished request as a gateway measured it, for the planner's window: when it arrived, its lengths and latencies
/// (seconds; TPOT 0 for one output token), whether it completed, and how many prompt tokens the worker that prefilled
/// it found in its prefix cache (<see cref="TokenChunk.CachedPromptTokens"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RequestObservation(
    [property: Id(0)] double ArrivalUnixSeconds,
    [property: Id(1)] int PromptTokens,
    [property: Id(2)] int OutputTokens,
    [property: Id(3)] double Ttft,
    [property: Id(4)] double Tpot,
    [property: Id(5)] double MaxItl,
    [property: Id(6)] bool Completed,
    [property: Id(7)] int CachedTokens = 0);
