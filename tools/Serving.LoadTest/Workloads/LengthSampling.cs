using Serving.LoadTest.Arrivals;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Workloads;

/// <summary>Draws lengths from a <see cref="LengthSpec"/> (the spec is recorded in the result; drawing is the load tester's).</summary>
internal static class LengthSampling
{
    public static int Sample(this LengthSpec spec, Random random) => spec.Distribution switch
    {
        LengthDistribution.Fixed => spec.Mean,
        LengthDistribution.Uniform => random.Next(spec.Min, spec.Max + 1),
        // Mean of a log-normal is exp(mu + sigma²/2): choose mu so that it is Mean.
        _ => (int)Math.Clamp(Math.Round(Math.Exp(Math.Log(spec.Mean) - spec.Sigma * spec.Sigma / 2 + spec.Sigma * GammaSampler.Normal(random))), spec.Min, spec.Max),
    };
}
