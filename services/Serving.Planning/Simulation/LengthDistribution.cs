namespace Serving.Planning.Simulation;

/// <summary>A distribution of token counts (prompt or output lengths).</summary>
public abstract record LengthDistribution
{
    /// <summary>Draws one length (at least 1).</summary>
    public abstract int Sample(Random random);
}
