namespace Serving.LoadTest.Metrics;

/// <summary>
/// Whether a server kept up with a run: the rate it completed requests at once a queue had time to show, and whether
/// its queue grew. A short burst can be drained within loose SLOs by a server that sustains half the rate; these
/// figures tell the two apart.
/// </summary>
internal static class SustainedRate
{
    /// <summary>
    /// Requests completed per second over the span of completions (first to last successful completion): the rate the
    /// server delivered, which for a server that keeps up is the offered rate (completions follow arrivals, shifted
    /// by the latency), and for one that does not is its capacity. 0 with fewer than two completions.
    /// </summary>
    public static double Achieved(IReadOnlyList<RequestResult> results)
    {
        var done = results.Where(r => r.Success && r.SentS is not null).Select(r => r.SentS!.Value + r.E2elMs / 1000).Order().ToArray();
        if (done.Length < 2)
            return 0;
        var span = done[^1] - done[0];
        return span > 0 ? (done.Length - 1) / span : double.PositiveInfinity;
    }

    /// <summary>Median TTFT (ms) of the successful requests sent in the first third of the run, and in the last third (NaN when a third is empty).</summary>
    public static (double FirstMs, double LastMs) TtftThirds(IReadOnlyList<RequestResult> results)
    {
        var sent = results.Where(r => r.Success && r.SentS is not null).OrderBy(r => r.SentS).ToArray();
        if (sent.Length < 3)
            return (double.NaN, double.NaN);
        var third = sent.Length / 3;
        return (Median(sent.Take(third).Select(r => r.TtftMs)), Median(sent.Skip(sent.Length - third).Select(r => r.TtftMs)));
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
