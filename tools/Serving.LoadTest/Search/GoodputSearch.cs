namespace Serving.LoadTest.Search;

/// <summary>Binary search for the highest rate meeting the attainment target (DistServe's goodput), over any measuring function.</summary>
internal static class GoodputSearch
{
    /// <param name="attainmentAt">Runs the load at a rate and returns its SLO attainment (0..1).</param>
    public static async Task<SearchResult> RunAsync(Func<double, CancellationToken, Task<double>> attainmentAt, SearchSettings s, CancellationToken cancellationToken)
    {
        var probes = new List<SearchProbe>();
        double? pass = null, fail = null;

        async Task Probe(double rate)
        {
            var attainment = await attainmentAt(rate, cancellationToken);
            var passed = attainment >= s.Target;
            probes.Add(new SearchProbe(Math.Round(rate, 4), attainment, passed));
            if (passed)
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

        var goodput = pass ?? 0;
        var converged = (pass is { } p && fail is { } f && Narrow(p, f, s.Tolerance))
            || (fail is null && pass is { } top && top >= s.MaxRate)
            || (pass is null && fail is { } bottom && bottom <= s.MinRate);
        return new SearchResult(Math.Round(goodput, 4), Math.Round(goodput / s.Workers, 4), fail is { } lf ? Math.Round(lf, 4) : null,
            s.Workers, s.Target, probes, converged);
    }

    static bool Narrow(double lo, double hi, double tolerance) => hi <= lo || (hi - lo) / hi <= tolerance;
}
