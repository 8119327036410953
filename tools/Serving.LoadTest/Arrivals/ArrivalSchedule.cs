namespace Serving.LoadTest.Arrivals;

/// <summary>When each request is due, in seconds from the run's start.</summary>
internal static class ArrivalSchedule
{
    /// <summary>
    /// Gaps drawn from Gamma(shape = burstiness, scale = 1 / (rate · burstiness)): mean 1/rate and coefficient of
    /// variation 1/√burstiness (burstiness 1 is Poisson; below 1 burstier, above 1 more regular). As
    /// <c>vllm bench serve</c> does, the first request also waits one gap, and the cumulative times are rescaled so
    /// the last arrival falls at exactly n / rate, which keeps throughput comparable across seeds.
    /// </summary>
    public static double[] Poisson(int count, double rate, double burstiness, Random random)
    {
        if (rate <= 0 || double.IsNaN(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), "rate must be positive");
        if (burstiness <= 0)
            throw new ArgumentOutOfRangeException(nameof(burstiness), "burstiness must be positive");
        if (double.IsPositiveInfinity(rate))
            return AllAtOnce(count);
        var times = new double[count];
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += Gap(rate, burstiness, random);
            times[i] = t;
        }
        if (count > 0 && times[^1] > 0)
        {
            var scale = count / rate / times[^1];
            for (var i = 0; i < count; i++)
                times[i] *= scale;
        }
        return times;
    }

    /// <summary>One gap between arrivals (before any rescaling).</summary>
    public static double Gap(double rate, double burstiness, Random random) =>
        double.IsPositiveInfinity(burstiness) ? 1.0 / rate : GammaSampler.Sample(random, burstiness, 1.0 / (rate * burstiness));

    public static double[] AllAtOnce(int count) => new double[count];

    /// <summary>A trace's own arrival times, shifted to start at zero and divided by <paramref name="speedup"/>.</summary>
    public static double[] FromTrace(IReadOnlyList<double> arrivals, double speedup)
    {
        if (arrivals.Count == 0)
            return [];
        var first = arrivals.Min();
        return arrivals.Select(a => (a - first) / speedup).ToArray();
    }
}
