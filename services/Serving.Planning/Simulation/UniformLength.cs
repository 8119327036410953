namespace Serving.Planning.Simulation;

/// <summary>Uniform on [<paramref name="Min"/>, <paramref name="Max"/>].</summary>
public sealed record UniformLength(int Min, int Max) : LengthDistribution
{
    /// <inheritdoc/>
    public override int Sample(Random random) => Math.Max(1, random.Next(Min, Max + 1));
}
