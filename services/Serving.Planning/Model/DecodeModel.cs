namespace Serving.Planning.Model;

/// <summary>Decode step time: <c>Fixed + PerRequest·batch + PerContextToken·Σcontext</c> seconds.</summary>
public sealed record DecodeModel(double Fixed, double PerRequest, double PerContextToken)
{
    /// <summary>Seconds for one step producing one token for each of <paramref name="batchSize"/> requests.</summary>
    public double Time(int batchSize, long contextTokens) => Fixed + PerRequest * batchSize + PerContextToken * contextTokens;
}
