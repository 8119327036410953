namespace Serving.Planning.Planner;

/// <summary>Finds the highest arrival rate whose attainment reaches a target.</summary>
public static class GoodputSearch
{
    private const int MaxDoublings = 40;

    /// <summary>
    /// Doubles (or halves) from <paramref name="initialRate"/> to bracket the target, then bisects <paramref name="bisections"/> times.
    /// Returns (0, attainment at the smallest rate tried) when even that misses. Assumes attainment falls as rate rises.
    /// </summary>
    public static (double Rate, double Attainment) HighestRate(
        Func<double, double> attainmentAt, double target, double initialRate = 1, int bisections = 8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialRate);
        var rate = initialRate;
        var attainment = attainmentAt(rate);
        double low, high, lowAttainment;
        if (attainment >= target)
        {
            (low, lowAttainment) = (rate, attainment);
            high = double.NaN;
            for (var i = 0; i < MaxDoublings; i++)
            {
                rate *= 2;
                attainment = attainmentAt(rate);
                if (attainment < target) { high = rate; break; }
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
                attainment = attainmentAt(rate);
                if (attainment >= target) { (low, lowAttainment) = (rate, attainment); break; }
                high = rate;
                lowAttainment = attainment;
            }
            if (double.IsNaN(low)) return (0, lowAttainment);
        }

        for (var i = 0; i < bisections; i++)
        {
            var mid = (low + high) / 2;
            attainment = attainmentAt(mid);
            if (attainment >= target) (low, lowAttainment) = (mid, attainment);
            else high = mid;
        }
        return (low, lowAttainment);
    }
}
