namespace Serving.Planning.Simulation;

/// <summary>Draws seeded workloads with Poisson arrivals.</summary>
public static class WorkloadGenerator
{
    /// <summary>
    /// <paramref name="count"/> requests at <paramref name="rate"/> requests per second. The same seed gives the same lengths
    /// and the same arrival pattern at every rate (arrivals are drawn at rate 1 and scaled), so attainment moves smoothly with rate.
    /// </summary>
    public static IReadOnlyList<SimRequest> Generate(WorkloadSpec spec, double rate, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        return AtRate(Generate(spec, count, seed), rate);
    }

    /// <summary>Requests at rate 1 (the unit pattern <see cref="AtRate"/> scales).</summary>
    public static IReadOnlyList<SimRequest> Generate(WorkloadSpec spec, int count, int seed)
    {
        var random = new Random(seed);
        var requests = new SimRequest[count];
        var time = 0.0;
        for (var i = 0; i < count; i++)
        {
            time += -Math.Log(1 - random.NextDouble());
            requests[i] = new SimRequest(i, time, spec.Prompt.Sample(random), spec.Output.Sample(random));
        }
        return requests;
    }

    /// <summary>The same requests with arrival times divided by <paramref name="rate"/>.</summary>
    public static IReadOnlyList<SimRequest> AtRate(IReadOnlyList<SimRequest> unitRate, double rate) =>
        unitRate.Select(r => r with { ArrivalTime = r.ArrivalTime / rate }).ToArray();
}
