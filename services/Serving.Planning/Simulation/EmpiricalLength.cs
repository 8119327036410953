namespace Serving.Planning.Simulation;

/// <summary>Lengths drawn (with replacement) from those observed, e.g. the prompts of the last minutes of traffic.</summary>
public sealed record EmpiricalLength : LengthDistribution
{
    private readonly int[] values;

    public EmpiricalLength(IEnumerable<int> observed)
    {
        values = [.. observed.Select(v => Math.Max(1, v))];
        if (values.Length == 0)
            throw new ArgumentException("An empirical distribution needs at least one observed length.", nameof(observed));
    }

    /// <summary>The observed lengths.</summary>
    public IReadOnlyList<int> Values => values;

    /// <summary>The mean observed length.</summary>
    public double Mean => values.Average();

    /// <inheritdoc/>
    public override int Sample(Random random) => values[random.Next(values.Length)];
}
