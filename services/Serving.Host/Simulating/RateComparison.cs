namespace Serving.Host.Simulating;

/// <summary>One rate's simulated figures beside the measured ones (null when only simulated).</summary>
internal sealed record RateComparison(double? Rate, LatencySummary Simulated, LatencySummary? Measured)
{
    /// <summary>Simulated minus measured attainment, in percentage points.</summary>
    public double? AttainmentDeltaPoints => Measured is null ? null : (Simulated.Attainment - Measured.Attainment) * 100;
}
