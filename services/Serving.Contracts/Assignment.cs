namespace Serving.Contracts;

/// <summary>Where a request runs: a decode (or mixed) worker, and the prefill worker that feeds it when disaggregated.</summary>
[GenerateSerializer, Immutable]
public sealed record Assignment(
    [property: Id(0)] string DecodeWorker,
    [property: Id(1)] string? PrefillWorker,
    [property: Id(2)] string? PrefillKvAddress = null);
