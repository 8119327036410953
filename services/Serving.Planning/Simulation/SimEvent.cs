namespace Serving.Planning.Simulation;

/// <summary>A scheduled event; <see cref="Worker"/> is a prefill or decode worker index depending on <see cref="Kind"/>.</summary>
internal readonly record struct SimEvent(EventKind Kind, int Worker, RequestState? Request);
