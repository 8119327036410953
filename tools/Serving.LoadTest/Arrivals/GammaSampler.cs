namespace Serving.LoadTest.Arrivals;

/// <summary>Gamma and normal variates from a seeded <see cref="Random"/>, so a schedule is reproducible from its seed.</summary>
internal static class GammaSampler
{
    /// <summary>A Gamma(shape, scale) draw (mean shape·scale), by Marsaglia and Tsang's method.</summary>
    public static double Sample(Random random, double shape, double scale)
    {
        if (shape <= 0 || scale <= 0)
            throw new ArgumentOutOfRangeException(nameof(shape), "shape and scale must be positive");
        if (shape < 1)
        {
            // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
            var u = 1.0 - random.NextDouble();
            return Sample(random, shape + 1, scale) * Math.Pow(u, 1.0 / shape);
        }
        var d = shape - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1.0 - random.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v))
                return d * v * scale;
        }
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
