namespace Serving.Planning.LoadTests;

/// <summary>
/// How long prompts or outputs are, in tokens. Fixed: always <see cref="Mean"/>. Uniform: integers in
/// [<see cref="Min"/>, <see cref="Max"/>]. Log-normal: mean <see cref="Mean"/>, shape <see cref="Sigma"/> (the
/// standard deviation of the log), clipped to [Min, Max].
/// </summary>
public sealed record LengthSpec(LengthDistribution Distribution, int Mean, int Min, int Max, double Sigma)
{
    /// <summary>A spec with the default range for its distribution: [mean/2, 3·mean/2] when uniform, [1, 4·mean] when log-normal.</summary>
    public static LengthSpec Of(LengthDistribution distribution, int mean, int? min = null, int? max = null, double sigma = 0.5)
    {
        var (lo, hi) = distribution switch
        {
            LengthDistribution.Uniform => (Math.Max(1, mean / 2), mean + mean / 2),
            LengthDistribution.LogNormal => (1, 4 * mean),
            _ => (mean, mean),
        };
        var spec = new LengthSpec(distribution, mean, min ?? lo, max ?? hi, sigma);
        return spec.Min < 1 || spec.Max < spec.Min || spec.Mean < 1
            ? throw new ArgumentException($"bad length range: mean {mean}, min {spec.Min}, max {spec.Max}")
            : spec;
    }

    public override string ToString() => Distribution switch
    {
        LengthDistribution.Fixed => $"fixed {Mean}",
        LengthDistribution.Uniform => $"uniform {Min}..{Max}",
        _ => $"log-normal mean {Mean} sigma {Sigma} in {Min}..{Max}",
    };
}
