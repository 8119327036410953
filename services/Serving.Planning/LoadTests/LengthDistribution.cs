namespace Serving.Planning.LoadTests;

/// <summary>How prompt or output lengths are drawn (<see cref="LengthSpec"/>).</summary>
public enum LengthDistribution
{
    Fixed,
    Uniform,
    LogNormal,
}
