namespace Serving.Planning.Planner;

/// <summary>
/// The one definition of "the system kept up with an offered rate", shared by the load tester's probes of a real
/// server and the planner's probes of a simulated one, so measured and simulated goodput mean the same thing
/// (DistServe: the highest rate a system <em>sustains</em> with the attainment target met). Over the requests a run
/// completed, it kept up when:
/// <list type="bullet">
/// <item>it completed them at ≥ <see cref="AchievedShare"/> of the rate they were offered at — a short burst drained
/// within loose SLOs by a system half as fast passes attainment, not this. A system that keeps up completes at the
/// offered rate, its latency (offer to completion) steady; one that does not completes at its capacity c, its latency
/// growing by r/c − 1 seconds per second offered. The achieved rate is the larger of two estimates, each sound where
/// the other is noisy: completions over their span (which a spread of request lengths drags down: the first to finish
/// is a short one and the last a long one — 16–65% low for a steady server with ShareGPT-like lengths), and the
/// offered rate ÷ (1 + the drift of the median latency from the first third of the requests to the last, against
/// their median offer times) (which a few requests held back by a burst in one third of a short run drag down).
/// Falling behind lowers both. Failed requests are left out of both rates alike;</item>
/// <item>its queue did not grow: the median TTFT of the requests offered in the last third of the run is at most
/// <see cref="QueueGrowth"/> × the first third's plus an allowance of the larger of a fixed slack and the first
/// third's median generation time (latency − TTFT): a request held back behind one other is noise, a backlog that
/// builds over the run is not.</item>
/// </list>
/// </summary>
public static class KeptUp
{
    public const double AchievedShare = 0.95;
    public const double QueueGrowth = 1.5;

    /// <summary>One completed request: when it was offered (its schedule) and completed, its TTFT and latency; one unit throughout.</summary>
    public readonly record struct Request(double OfferedAt, double CompletedAt, double Ttft, double Latency);

    /// <summary>What a run showed: the rates, the first and last thirds' median TTFT, and the queue allowance.</summary>
    public sealed record Verdict(double OfferedRate, double AchievedRate, double TtftFirstThird, double TtftLastThird, double QueueAllowance)
    {
        public bool Achieved => AchievedRate >= AchievedShare * OfferedRate;

        public bool QueueGrew => double.IsFinite(TtftFirstThird) && double.IsFinite(TtftLastThird)
            && TtftLastThird > QueueGrowth * TtftFirstThird + QueueAllowance;

        public bool Passed => Achieved && !QueueGrew;
    }

    /// <param name="completed">The run's completed requests (any order).</param>
    /// <param name="minSlack">The least TTFT rise that counts as a queue, in the requests' unit.</param>
    public static Verdict Judge(IReadOnlyList<Request> completed, double minSlack)
    {
        var byOffer = completed.OrderBy(r => r.OfferedAt).ToArray();
        var third = byOffer.Length / 3;
        var first = byOffer.Take(third).ToArray();
        var last = byOffer.Skip(byOffer.Length - third).ToArray();
        var offered = Rate(completed.Select(r => r.OfferedAt));
        var achieved = Rate(completed.Select(r => r.CompletedAt));
        if (third >= 2 && Median(last.Select(r => r.OfferedAt)) - Median(first.Select(r => r.OfferedAt)) is var between && between > 0)
        {
            var drift = (Median(last.Select(r => r.CompletedAt - r.OfferedAt)) - Median(first.Select(r => r.CompletedAt - r.OfferedAt))) / between;
            // A latency that falls over the run (a server warming up) cannot make the rate more than twice the offered one.
            achieved = Math.Max(achieved, offered / (1 + Math.Max(drift, -0.5)));
        }
        return new Verdict(
            offered,
            achieved,
            third > 0 ? Median(first.Select(r => r.Ttft)) : double.NaN,
            third > 0 ? Median(last.Select(r => r.Ttft)) : double.NaN,
            Math.Max(minSlack, third > 0 ? Median(first.Select(r => r.Latency - r.Ttft)) : 0));
    }

    /// <summary>Events per unit of time over their span (0 with fewer than two).</summary>
    public static double Rate(IEnumerable<double> times)
    {
        var sorted = times.Order().ToArray();
        if (sorted.Length < 2)
            return 0;
        var span = sorted[^1] - sorted[0];
        return span > 0 ? (sorted.Length - 1) / span : double.PositiveInfinity;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : Quantile(sorted, 0.5);
    }

    // Linear interpolation between order statistics (numpy's default).
    static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
