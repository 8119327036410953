namespace Serving.Engine.DefaultModel;

/// <summary>
/// SplitMix64 + Box–Muller normal samples. Our own generator, so the default model's weights never change
/// with a torch or .NET upgrade.
/// </summary>
internal sealed class SeededGaussian
{
    private ulong state;
    private double? spare;

    public SeededGaussian(ulong seed) => state = seed;

    /// <summary>A generator per tensor: seeding by name keeps other tensors unchanged when one is added.</summary>
    public static SeededGaussian ForTensor(ulong seed, string name)
    {
        ulong hash = 14695981039346656037UL; // FNV-1a
        foreach (char c in name)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return new SeededGaussian(seed ^ hash);
    }

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in (0, 1]: never 0, so the logarithm below is finite.</summary>
    public double NextUniform() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    public double NextGaussian()
    {
        if (this.spare is { } spare)
        {
            this.spare = null;
            return spare;
        }
        double radius = Math.Sqrt(-2.0 * Math.Log(NextUniform()));
        double angle = 2.0 * Math.PI * NextUniform();
        this.spare = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }

    /// <summary>mean + std · N(0, 1), <paramref name="count"/> times.</summary>
    public float[] Fill(long count, double mean, double std)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(mean + std * NextGaussian());
        return values;
    }
}
