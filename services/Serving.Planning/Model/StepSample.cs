namespace Serving.Planning.Model;

/// <summary>
/// One engine step as a serving worker ran it (read from a step trace): the decode batch, the prefill work and the
/// share of the model's layers it ran for the prefill (1 for a whole pass, 1/G for one layered group), and how long it took.
/// </summary>
public sealed record StepSample(
    int DecodeRequests,
    long DecodeContextTokens,
    int PrefillPrompts,
    long PrefillTokens,
    double PrefillSumSquares,
    double PrefillLayerShare,
    double Seconds)
{
    public bool HasDecode => DecodeRequests > 0;
    public bool HasPrefill => PrefillTokens > 0 && PrefillLayerShare > 0;
}
