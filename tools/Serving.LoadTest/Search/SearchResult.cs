namespace Serving.LoadTest.Search;

/// <summary>
/// The search's answer: <see cref="Goodput"/> is the highest rate tried that met the target (0 when even
/// the lowest failed), <see cref="LowestFailing"/> the lowest that missed it (null when none did up to the maximum).
/// </summary>
internal sealed record SearchResult(double Goodput, double GoodputPerWorker, double? LowestFailing, int Workers, double Target, IReadOnlyList<SearchProbe> Probes, bool Converged);
