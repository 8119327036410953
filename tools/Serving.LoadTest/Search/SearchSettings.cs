namespace Serving.LoadTest.Search;

/// <summary>
/// The goodput search: the highest Poisson rate the server sustains with SLO attainment at least <see cref="Target"/>
/// (DistServe's goodput), found by doubling or halving from <see cref="StartRate"/> until a passing and a failing rate
/// bracket it, then bisecting until the bracket is narrower than <see cref="Tolerance"/> (relative) or
/// <see cref="MaxProbes"/> runs have been made. Each probe offers its rate for <see cref="ProbeSeconds"/> (at least
/// <see cref="MinProbeRequests"/> requests), so a queue the server cannot drain has time to show.
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

    /// <summary>Seconds of arrivals per probe; null: <see cref="AutoProbeSeconds"/>.</summary>
    public double? ProbeSeconds { get; init; }

    /// <summary>Fewest requests in a probe, whatever its rate.</summary>
    public int MinProbeRequests { get; init; } = 40;

    /// <summary>Most requests in a probe: at very high rates a probe is shorter than its seconds.</summary>
    public int MaxProbeRequests { get; init; } = 10_000;

    /// <summary>
    /// The probe length when none is given: 10 request latencies of the warm-up (its median: a cold first request
    /// does not set it), at least 20 s, at most 120 s.
    /// </summary>
    public static double AutoProbeSeconds(double medianE2elS) => Math.Clamp(10 * medianE2elS, 20, 120);

    /// <summary>Requests a probe at <paramref name="rate"/> sends over <paramref name="seconds"/>, within [<see cref="MinProbeRequests"/>, <see cref="MaxProbeRequests"/>].</summary>
    public int ProbeRequests(double rate, double seconds) =>
        (int)Math.Clamp(Math.Ceiling(rate * seconds), MinProbeRequests, Math.Max(MinProbeRequests, MaxProbeRequests));
}
