namespace Serving.LoadTest.Search;

/// <summary>
/// The goodput search: the highest Poisson rate whose SLO attainment is at least <see cref="Target"/>, found by
/// doubling or halving from <see cref="StartRate"/> until the target is bracketed, then bisecting until the bracket
/// is narrower than <see cref="Tolerance"/> (relative) or <see cref="MaxProbes"/> runs have been made.
/// </summary>
internal sealed record SearchSettings
{
    public double Target { get; init; } = 0.9;
    public double StartRate { get; init; } = 1;
    public double MinRate { get; init; } = 0.05;
    public double MaxRate { get; init; } = 1000;
    public double Tolerance { get; init; } = 0.1;
    public int MaxProbes { get; init; } = 8;
    /// <summary>Workers (devices) of the system under test: goodput per worker = goodput / workers (DistServe).</summary>
    public int Workers { get; init; } = 1;
}
