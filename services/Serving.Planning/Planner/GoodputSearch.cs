namespace Serving.Planning.Planner;

/// <summary>Finds the highest arrival rate whose attainment reaches a target.</summary>
public static class GoodputSearch
{
    private const int MaxDoublings = 40;

    /// <summary>The search over attainment alone: a rate passes when it reaches <paramref name="target"/>.</summary>
    public static (double Rate, double Attainment) HighestRate(
        Func<double, double> attainmentAt, double target, double initialRate = 1, int bisections = 8) =>
        HighestRate(r =>
        {
            var attainment = attainmentAt(r);
            return (attainment, attainment >= target);
        }, initialRate, bisections);

    /// <summary>
    /// Doubles (or halves) from <paramref name="initialRate"/> to bracket the highest passing rate, then bisects
    /// <paramref name="bisections"/> times. Returns (0, attainment at the smallest rate tried) when even that fails.
    /// Assumes a rate passes whenever a higher one does.
    /// </summary>
    /// <param name="probe">A rate's attainment, and whether it passes (the target met, and the system kept up).</param>
    public static (double Rate, double Attainment) HighestRate(
        Func<double, (double Attainment, bool Passed)> probe, double initialRate = 1, int bisections = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialRate);
        var rate = initialRate;
        var (attainment, passed) = probe(rate);
        double low, high, lowAttainment;
        if (passed)
        {
            (low, lowAttainment) = (rate, attainment);
            high = double.NaN;
            for (var i = 0; i < MaxDoublings; i++)
            {
                rate *= 2;
                (attainment, passed) = probe(rate);
                if (!passed) { high = rate; break; }
                (low, lowAttainment) = (rate, attainment);
            }
            if (double.IsNaN(high)) return (low, lowAttainment);
        }
        else
        {
            high = rate;
            low = double.NaN;
            lowAttainment = attainment;
            for (var i = 0; i < MaxDoublings; i++)
            {
                rate /= 2;
                (attainment, passed) = probe(rate);
                if (passed) { (low, lowAttainment) = (rate, attainment); break; }
                high = rate;
                lowAttainment = attainment;
            }
            if (double.IsNaN(low)) return (0, lowAttainment);
        }

        for (var i = 0; i < bisections; i++)
        {
            var mid = (low + high) / 2;
            (attainment, passed) = probe(mid);
            if (passed) (low, lowAttainment) = (mid, attainment);
            else high = mid;
        }
        return (low, lowAttainment);
    }
}
