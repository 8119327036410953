namespace Serving.Planning.Simulation;

/// <summary>Always <paramref name="Tokens"/>.</summary>
public sealed record FixedLength(int Tokens) : LengthDistribution
{
    /// <inheritdoc/>
    public override int Sample(Random random) => Math.Max(1, Tokens);
}
