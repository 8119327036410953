using Serving.Planning.Model;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Model;

public sealed class ProfileCalibratorTests
{
    static readonly WorkerProfile Bench = Profiles.Gpu();

    // Serving steps as a cluster runs them: decode batches whose context grows with the batch (so the two decode terms
    // are nearly collinear, as in real traces), whole prefills, layered groups beside decodes.
    static List<StepSample> Steps(WorkerProfile truth, int count, double noise, int seed)
    {
        var rng = new Random(seed);
        var steps = new List<StepSample>();
        for (var i = 0; i < count; i++)
        {
            var batch = rng.Next(1, 33);
            var context = batch * (long)rng.Next(800, 2200);
            var prompt = rng.Next(500, 2048);
            var step = (i % 6) switch
            {
                0 => new StepSample(0, 0, 1, prompt, (double)prompt * prompt, 1, 0),
                1 => new StepSample(batch, context, 1, prompt, (double)prompt * prompt, 0.25, 0),
                _ => new StepSample(batch, context, 0, 0, 0, 0, 0),
            };
            var seconds = ProfileCalibrator.Predict(truth, step) * (1 + noise * (2 * rng.NextDouble() - 1));
            steps.Add(step with { Seconds = seconds });
        }
        return steps;
    }

    static WorkerProfile Slowed(double fixedFactor, double contextFactor, double prefillFactor) => Bench with
    {
        Decode = new DecodeModel(Bench.Decode.Fixed * fixedFactor, Bench.Decode.PerRequest * fixedFactor, Bench.Decode.PerContextToken * contextFactor),
        Prefill = Bench.Prefill.Scaled(prefillFactor),
        LayerGroupOverheadSeconds = Bench.LayerGroupOverheadSeconds * prefillFactor,
    };

    [Fact]
    public void ExactSteps_RecoverTheSlowdownOfEachTerm()
    {
        var report = ProfileCalibrator.Calibrate(Bench, Steps(Slowed(0.9, 1.7, 1.2), 300, noise: 0, seed: 1), "synthetic");

        var k = report.Profile.Calibration!;
        Assert.Equal(0.9, k.DecodeFixedFactor, 6);
        Assert.Equal(1.7, k.DecodeContextFactor, 6);
        Assert.Equal(1.2, k.PrefillFactor, 6);
        Assert.True(report.DecodeFitted && report.PrefillFitted);
        Assert.True(report.After.Decode < 1e-9 && report.After.Prefill < 1e-9 && report.After.Mixed < 1e-9);
        Assert.Equal(1, report.After.TotalRatio, 6);
        Assert.Equal(Bench.Decode.PerContextToken * 1.7, report.Profile.Decode.PerContextToken, 15);
        Assert.Equal(Bench.Prefill.PerToken * 1.2, report.Profile.Prefill.PerToken, 15);
    }

    [Fact]
    public void NoisySteps_CloseFactors_AndTheHeldOutErrorFalls()
    {
        var report = ProfileCalibrator.Calibrate(Bench, Steps(Slowed(1.1, 1.5, 1.3), 600, noise: 0.1, seed: 5), "synthetic");

        var k = report.Profile.Calibration!;
        Assert.InRange(k.DecodeFixedFactor, 1.0, 1.2);
        Assert.InRange(k.DecodeContextFactor, 1.4, 1.6);
        Assert.InRange(k.PrefillFactor, 1.25, 1.35);
        Assert.Equal(120, report.HeldOutSteps);
        // 10% uniform noise: about 5% error left, from about 20% with the bench profile.
        Assert.True(report.Before.Decode > 0.15, $"decode error before {report.Before.Decode:P1}");
        Assert.InRange(report.After.Decode, 0.03, 0.08);
        Assert.InRange(report.After.Prefill, 0.02, 0.08);
        Assert.InRange(report.Before.TotalRatio, 0.6, 0.8);
        Assert.InRange(report.After.TotalRatio, 0.95, 1.05);
    }

    [Fact]
    public void TooFewPrefillSteps_LeavePrefillAlone_AndStillFitDecode()
    {
        var decodeOnly = Steps(Slowed(1, 2, 3), 300, noise: 0, seed: 2).Where(s => !s.HasPrefill).ToList();
        var report = ProfileCalibrator.Calibrate(Bench, decodeOnly, "synthetic");

        Assert.False(report.PrefillFitted);
        Assert.Equal(1, report.Profile.Calibration!.PrefillFactor);
        Assert.Equal(Bench.Prefill, report.Profile.Prefill);
        Assert.Equal(2, report.Profile.Calibration.DecodeContextFactor, 6);
    }

    [Fact]
    public void NoUsableSteps_ChangeNothing()
    {
        var report = ProfileCalibrator.Calibrate(Bench, [new StepSample(0, 0, 0, 0, 0, 0, 0.01)], "empty");

        Assert.False(report.DecodeFitted || report.PrefillFitted);
        Assert.Equal(Bench.Decode, report.Profile.Decode);
        Assert.Equal(Bench.Prefill, report.Profile.Prefill);
        Assert.Equal("empty", report.Profile.Calibration!.Source);
    }

    [Fact]
    public void WildSlowdowns_AreClampedToTheFactorBound()
    {
        var report = ProfileCalibrator.Calibrate(Bench, Steps(Slowed(10, 10, 10), 300, noise: 0, seed: 3), "synthetic");

        var k = report.Profile.Calibration!;
        Assert.Equal(ProfileCalibrator.MaxFactor, k.DecodeFixedFactor);
        Assert.Equal(ProfileCalibrator.MaxFactor, k.DecodeContextFactor);
        Assert.Equal(ProfileCalibrator.MaxFactor, k.PrefillFactor);
    }

    [Fact]
    public void CalibratedProfile_RoundTripsThroughJson()
    {
        var report = ProfileCalibrator.Calibrate(Bench, Steps(Slowed(0.9, 1.7, 1.2), 100, noise: 0, seed: 4), "steps-decode-0.csv");

        var again = ProfileJson.Deserialize(ProfileJson.Serialize(report.Profile));

        Assert.Equal(report.Profile, again);
        Assert.Null(ProfileJson.Deserialize(ProfileJson.Serialize(Bench)).Calibration);
    }
}
