namespace Serving.Planning.Simulation;

internal enum EventKind
{
    Arrival,
    PrefillDone,
    TransferDone,
    IterationDone,
}
