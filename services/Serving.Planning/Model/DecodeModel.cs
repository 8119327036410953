namespace Serving.Planning.Model;

/// <summary>Decode step time: <c>Fixed + PerRequest·batch + PerContextToken·Σcontext</c> seconds.</summary>
public sealed record DecodeModel(double Fixed, double PerRequest, double PerContextToken)
{
    /// <summary>Seconds for one step producing one token for each of <paramref name="batchSize"/> requests.</summary>
    // A fitted term can come out slightly negative on noisy profiles; time never runs backwards in the simulator.
    public double Time(int batchSize, long contextTokens) => Math.Max(MinSeconds, Fixed + PerRequest * batchSize + PerContextToken * contextTokens);

    /// <summary>The same model with every term multiplied by <paramref name="factor"/> (an observed-vs-predicted correction).</summary>
    public DecodeModel Scaled(double factor) => new(Fixed * factor, PerRequest * factor, PerContextToken * factor);

    const double MinSeconds = 1e-6;
}
