namespace Serving.Contracts;

/// <summary>A worker's load: queue length, batch size and free KV blocks; and its engine loop's progress.</summary>
/// <param name="Iterations">
/// Iterations its engine loop has finished (steps and the commands between them). The router watches it move: a
/// worker with work in its engine (<see cref="Busy"/>) whose count stands still is stuck, whatever its heartbeats say.
/// </param>
/// <param name="StuckSeconds">How long the loop has been inside its current iteration (0 while idle).</param>
/// <param name="PrefillTokens">Prompt tokens admitted or waiting whose KV is not computed yet: the prefill work queued here.</param>
[GenerateSerializer, Immutable]
public sealed record WorkerLoadReport(
    [property: Id(0)] int Waiting,
    [property: Id(1)] int Running,
    [property: Id(2)] int Importing,
    [property: Id(3)] int FreeBlocks,
    [property: Id(4)] int TotalBlocks,
    [property: Id(5)] long Iterations = 0,
    [property: Id(6)] double StuckSeconds = 0,
    [property: Id(7)] long PrefillTokens = 0)
{
    public int Queued => Waiting + Running + Importing;

    /// <summary>Whether its engine has work to step (a sequence only waiting for its KV import does not count).</summary>
    public bool Busy => Waiting + Running > 0;

    /// <summary>Blocks held by running or importing requests (free blocks include cached ones nobody uses).</summary>
    public int UsedBlocks => TotalBlocks - FreeBlocks;
}
