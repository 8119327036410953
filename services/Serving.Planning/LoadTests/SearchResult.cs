namespace Serving.Planning.LoadTests;

/// <summary>
/// The search's answer. <see cref="Goodput"/> is the highest offered rate whose probe passed — sustained, within the
/// SLOs — capped by the rate that probe achieved (0 when even the lowest failed); <see cref="Offered"/> is that
/// offered rate, <see cref="LowestFailing"/> the lowest rate that did not pass (null when none did up to the maximum).
/// </summary>
public sealed record SearchResult(double Goodput, double GoodputPerWorker, double? LowestFailing, int Workers, double Target, IReadOnlyList<SearchProbe> Probes, bool Converged)
{
    public double Offered { get; init; }
}
