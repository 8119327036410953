using Serving.Planning.Model;

namespace Serving.Planning.Tests.Model;

public sealed class LatencyFitterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(0.002)]
    public void FitPrefill_ExactPoints_RecoversCoefficients(double perPrompt)
    {
        var truth = new PrefillModel(0.004, 2e-5, 3e-9, perPrompt);
        var points = PrefillPoints(truth, noise: 0, seed: 1);

        var report = LatencyFitter.FitPrefill(points);

        Assert.Equal(truth.Fixed, report.Model.Fixed, 9);
        Assert.Equal(truth.PerToken, report.Model.PerToken, 12);
        Assert.Equal(truth.PerSquaredToken, report.Model.PerSquaredToken, 15);
        Assert.Equal(truth.PerPrompt, report.Model.PerPrompt, 9);
        Assert.True(report.HeldOutError < 1e-9);
    }

    [Fact]
    public void FitPrefill_NoisyPoints_RecoversCoefficientsAndReportsHeldOutError()
    {
        var truth = new PrefillModel(0.004, 2e-5, 3e-9);
        var points = PrefillPoints(truth, noise: 0.02, seed: 7);

        var report = LatencyFitter.FitPrefill(points, holdOutEvery: 4);

        Assert.InRange(report.Model.PerToken, truth.PerToken * 0.9, truth.PerToken * 1.1);
        Assert.InRange(report.Model.PerSquaredToken, truth.PerSquaredToken * 0.8, truth.PerSquaredToken * 1.2);
        Assert.Equal(points.Count / 4, report.HeldOutPoints);
        Assert.Equal(points.Count - points.Count / 4, report.TrainingPoints);
        // 2% uniform noise: the error is near its mean of 1%, not zero and not large.
        Assert.InRange(report.HeldOutError, 0.002, 0.03);
    }

    [Fact]
    public void FitPrefill_OnePromptPerPoint_FitsNoPerPromptTerm()
    {
        var truth = new PrefillModel(0.004, 2e-5, 3e-9);
        var points = new[] { 64, 128, 256, 512, 768, 1024, 1536, 2048 }
            .Select(l => new PrefillPoint(l, (double)l * l, truth.Time(l, (double)l * l, 1)))
            .ToArray();

        var report = LatencyFitter.FitPrefill(points);

        Assert.Equal(0, report.Model.PerPrompt);
        Assert.Equal(truth.PerToken, report.Model.PerToken, 12);
    }

    [Fact]
    public void FitDecode_NoisyPoints_RecoversCoefficients()
    {
        var truth = new DecodeModel(0.003, 0.0004, 2e-7);
        var random = new Random(3);
        var points = new List<DecodePoint>();
        foreach (var batch in new[] { 1, 2, 4, 8, 16, 32, 64 })
            foreach (var perRequest in new[] { 128, 512, 2048 })
            {
                var context = (long)batch * perRequest;
                var seconds = truth.Time(batch, context) * (1 + 0.02 * (random.NextDouble() - 0.5));
                points.Add(new DecodePoint(batch, context, seconds));
            }

        var report = LatencyFitter.FitDecode(points);

        Assert.InRange(report.Model.Fixed, truth.Fixed * 0.9, truth.Fixed * 1.1);
        Assert.InRange(report.Model.PerRequest, truth.PerRequest * 0.9, truth.PerRequest * 1.1);
        Assert.InRange(report.Model.PerContextToken, truth.PerContextToken * 0.9, truth.PerContextToken * 1.1);
        Assert.True(report.HeldOutError < 0.02);
    }

    [Fact]
    public void FitDecode_TermNeverVaries_Throws()
    {
        var points = Enumerable.Range(1, 10).Select(i => new DecodePoint(4, 1000, 0.01 * i)).ToArray();

        Assert.Throws<InvalidOperationException>(() => LatencyFitter.FitDecode(points));
    }

    [Fact]
    public void MeanAbsolutePercentageError_Pairs_AveragesRelativeErrors()
    {
        Assert.Equal(0.15, LatencyFitter.MeanAbsolutePercentageError([(1.1, 1.0), (1.6, 2.0)]), 12);
    }

    private static List<PrefillPoint> PrefillPoints(PrefillModel truth, double noise, int seed)
    {
        var random = new Random(seed);
        var points = new List<PrefillPoint>();
        foreach (var batch in new[] { 1, 2, 4, 8 })
            foreach (var length in new[] { 64, 256, 1024, 4096 })
            {
                // Mixed lengths in a batch so Σlen and Σlen² vary independently.
                var lengths = Enumerable.Range(0, batch).Select(i => length / (1 + i % 3)).ToArray();
                long tokens = lengths.Sum();
                var sumSquares = lengths.Sum(l => (double)l * l);
                var seconds = truth.Time(tokens, sumSquares, batch) * (1 + noise * (random.NextDouble() - 0.5) * 2);
                points.Add(new PrefillPoint(tokens, sumSquares, seconds, batch));
            }
        return points;
    }
}
