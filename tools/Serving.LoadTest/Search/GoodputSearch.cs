using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Search;

/// <summary>Search for the highest rate a server sustains within its SLOs (DistServe's goodput), over any measuring function.</summary>
internal static class GoodputSearch
{
    /// <param name="probe">Offers a rate and judges whether the server sustained it (<see cref="ProbeVerdict"/>).</param>
    public static async Task<SearchResult> RunAsync(Func<double, CancellationToken, Task<ProbeVerdict>> probe, SearchSettings s, CancellationToken cancellationToken)
    {
        var probes = new List<SearchProbe>();
        double? pass = null, fail = null;

        async Task Probe(double rate)
        {
            var verdict = await probe(rate, cancellationToken);
            probes.Add(new SearchProbe(Math.Round(rate, 4), Math.Round(verdict.Achieved, 4), verdict.Attainment, verdict.Passed, verdict.Misses));
            if (verdict.Passed)
                pass = Math.Max(pass ?? 0, rate);
            else
                fail = Math.Min(fail ?? double.MaxValue, rate);
        }

        // Bracket: double up while every rate passes, halve down while every rate fails.
        var rate = Math.Clamp(s.StartRate, s.MinRate, s.MaxRate);
        await Probe(rate);
        while (probes.Count < s.MaxProbes && (pass is null || fail is null))
        {
            if (fail is null && rate < s.MaxRate)
                rate = Math.Min(rate * 2, s.MaxRate);
            else if (pass is null && rate > s.MinRate)
                rate = Math.Max(rate / 2, s.MinRate);
            else
                break;
            await Probe(rate);
        }
        // Bisect the bracket geometrically: rates span orders of magnitude.
        while (probes.Count < s.MaxProbes && pass is { } lo && fail is { } hi && !Narrow(lo, hi, s.Tolerance))
            await Probe(Math.Sqrt(lo * hi));

        // The best passing probe's offered rate, never more than it achieved.
        var best = probes.Where(p => p.Passed).MaxBy(p => p.Rate);
        var goodput = best is null ? 0 : Math.Min(best.Rate, best.Achieved);
        var converged = (pass is { } p && fail is { } f && Narrow(p, f, s.Tolerance))
            || (fail is null && pass is { } top && top >= s.MaxRate)
            || (pass is null && fail is { } bottom && bottom <= s.MinRate);
        return new SearchResult(Math.Round(goodput, 4), Math.Round(goodput / s.Workers, 4), fail is { } lf ? Math.Round(lf, 4) : null,
            s.Workers, s.Target, probes, converged)
        {
            Offered = best?.Rate ?? 0,
        };
    }

    static bool Narrow(double lo, double hi, double tolerance) => hi <= lo || (hi - lo) / hi <= tolerance;
}
