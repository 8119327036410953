namespace Serving.Planning.Planner;

/// <summary>
/// The one definition of "the system kept up with an offered rate", shared by the load tester's probes of a real
/// server and the planner's probes of a simulated one, so measured and simulated goodput mean the same thing
/// (DistServe: the highest rate a system <em>sustains</em> with the attainment target met). A run kept up when:
/// <list type="bullet">
/// <item>it completed requests at ≥ <see cref="AchievedShare"/> of the rate they were sent at, each counted over its own
/// span (<see cref="AchievedRate"/> of the completions and of the sends: a system that keeps up completes at the rate
/// it is sent, shifted by its latency; one that does not, at its capacity — a short burst drained within loose SLOs
/// by a system half as fast passes attainment, not this). Comparing with the sends' own rate rather than a nominal one
/// keeps a Poisson sample's chance span out of the verdict;</item>
/// <item>its queue did not grow: the median TTFT of the requests sent in the last third of the run is at most
/// <see cref="QueueGrowth"/> × the first third's, plus an allowance for bursts of the larger of a fixed slack and the
/// run's median request latency (a queue one request deep is noise; one that grows run after run is not).</item>
/// </list>
/// Units are the caller's, the same throughout (seconds or milliseconds).
/// </summary>
public static class KeptUp
{
    public const double AchievedShare = 0.95;
    public const double QueueGrowth = 1.5;

    /// <summary>Events per time unit over their span (0 with fewer than two): completions for the achieved rate, sends for the offered one.</summary>
    public static double AchievedRate(IEnumerable<double> completions)
    {
        var done = completions.Order().ToArray();
        if (done.Length < 2)
            return 0;
        var span = done[^1] - done[0];
        return span > 0 ? (done.Length - 1) / span : double.PositiveInfinity;
    }

    /// <summary>Whether the completions kept pace with the sends (both from <see cref="AchievedRate"/>).</summary>
    public static bool Achieved(double achieved, double sent) => achieved >= AchievedShare * sent;

    /// <summary>Median TTFT of the requests sent in the first third and in the last third (NaN with fewer than three).</summary>
    public static (double First, double Last) TtftThirds(IEnumerable<(double Sent, double Ttft)> requests)
    {
        var sent = requests.OrderBy(r => r.Sent).ToArray();
        if (sent.Length < 3)
            return (double.NaN, double.NaN);
        var third = sent.Length / 3;
        return (Median(sent.Take(third).Select(r => r.Ttft)), Median(sent.Skip(sent.Length - third).Select(r => r.Ttft)));
    }

    /// <summary>Whether the last third's median TTFT rose beyond noise (see the type); false when either is unknown.</summary>
    public static bool QueueGrew(double firstThird, double lastThird, double medianLatency, double minSlack) =>
        double.IsFinite(firstThird) && double.IsFinite(lastThird)
        && lastThird > QueueGrowth * firstThird + Math.Max(minSlack, double.IsFinite(medianLatency) ? medianLatency : 0);

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
