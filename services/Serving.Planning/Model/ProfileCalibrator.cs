namespace Serving.Planning.Model;

/// <summary>
/// Calibrates a profile measured on one engine alone against the steps its workers ran while serving. Serving steps
/// differ from the profiler's: other workers share the host's cores and memory bus, batches hold requests of mixed
/// lengths, KV blocks are scattered. Each step's time is modelled as
/// <c>a·(decode fixed + per-request) + b·(decode per-context) + k·(prefill share of the layers · prefill time)</c>
/// with the profile's terms, and a, b, k are fitted by least squares on relative error (so short decode steps count
/// as much as long prefills). Every fifth step is held out to report the error before and after.
/// </summary>
public static class ProfileCalibrator
{
    /// <summary>Fewest steps that exercise a factor for it to be fitted; with fewer it stays 1.</summary>
    public const int MinSteps = 20;

    /// <summary>Factors are kept within [1/4, 4]: a wider gap means the profile is of another model or device.</summary>
    public const double MaxFactor = 4;

    public static CalibrationReport Calibrate(WorkerProfile profile, IReadOnlyList<StepSample> steps, string source, int holdOutEvery = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holdOutEvery, 2);
        var usable = steps.Where(s => s.Seconds > 0 && (s.HasDecode || s.HasPrefill)).ToList();
        var train = usable.Where((_, i) => i % holdOutEvery != holdOutEvery - 1).ToList();
        var heldOut = usable.Where((_, i) => i % holdOutEvery == holdOutEvery - 1).ToList();

        var decodeSteps = train.Count(s => s.HasDecode);
        var prefillSteps = train.Count(s => s.HasPrefill);
        var fitDecode = decodeSteps >= MinSteps;
        var fitPrefill = prefillSteps >= MinSteps;
        var (a, b, k) = (1.0, 1.0, 1.0);
        if (fitDecode || fitPrefill)
        {
            // Unknowns: the fitted factors; a factor left at 1 moves its term to the known side.
            var rows = new List<double[]>();
            var targets = new List<double>();
            foreach (var s in train)
            {
                var (u, w, v) = Terms(profile, s);
                var known = (fitDecode ? 0 : u + w) + (fitPrefill ? 0 : v);
                var row = new List<double>(3);
                if (fitDecode) { row.Add(u / s.Seconds); row.Add(w / s.Seconds); }
                if (fitPrefill) row.Add(v / s.Seconds);
                rows.Add([.. row]);
                targets.Add((s.Seconds - known) / s.Seconds);
            }
            var beta = LeastSquares.Solve(rows, targets);
            var i = 0;
            if (fitDecode) { a = Clamp(beta[i++]); b = Clamp(beta[i++]); }
            if (fitPrefill) k = Clamp(beta[i]);
        }

        var calibrated = profile with
        {
            Decode = new DecodeModel(profile.Decode.Fixed * a, profile.Decode.PerRequest * a, profile.Decode.PerContextToken * b),
            Prefill = profile.Prefill.Scaled(k),
            LayerGroupOverheadSeconds = profile.LayerGroupOverheadSeconds * k,
            Calibration = new ProfileCalibration(a, b, k, decodeSteps, prefillSteps, source),
        };
        return new CalibrationReport(
            calibrated,
            fitDecode,
            fitPrefill,
            Errors(profile, heldOut),
            Errors(calibrated, heldOut),
            train.Count,
            heldOut.Count);
    }

    /// <summary>Seconds of one step by <paramref name="profile"/>: what the simulator charges a worker for it.</summary>
    public static double Predict(WorkerProfile profile, StepSample s)
    {
        var (u, w, v) = Terms(profile, s);
        return u + w + v;
    }

    // The step's decode fixed-and-per-request part, its per-context part and its prefill part, by the profile.
    static (double U, double W, double V) Terms(WorkerProfile p, StepSample s)
    {
        double u = 0, w = 0, v = 0;
        if (s.HasDecode)
        {
            u = p.Decode.Fixed + p.Decode.PerRequest * s.DecodeRequests;
            w = p.Decode.PerContextToken * s.DecodeContextTokens;
        }
        if (s.HasPrefill)
        {
            var share = Math.Min(1, s.PrefillLayerShare);
            v = share * p.Prefill.Time(s.PrefillTokens, s.PrefillSumSquares, s.PrefillPrompts) + (share < 1 ? p.LayerGroupOverheadSeconds : 0);
        }
        return (u, w, v);
    }

    static StepErrors Errors(WorkerProfile profile, IReadOnlyList<StepSample> steps)
    {
        double Mape(IEnumerable<StepSample> set) => LatencyFitter.MeanAbsolutePercentageError(set.Select(s => (Predict(profile, s), s.Seconds)));
        var decode = steps.Where(s => s.HasDecode && !s.HasPrefill).ToList();
        var prefill = steps.Where(s => s.HasPrefill && !s.HasDecode).ToList();
        var both = steps.Where(s => s.HasDecode && s.HasPrefill).ToList();
        return new StepErrors(Mape(decode), decode.Count, Mape(prefill), prefill.Count, Mape(both), both.Count,
            steps.Sum(s => s.Seconds) is var measured and > 0 ? steps.Sum(s => Predict(profile, s)) / measured : 0);
    }

    static double Clamp(double factor) => double.IsFinite(factor) ? Math.Clamp(factor, 1 / MaxFactor, MaxFactor) : 1;
}

/// <summary>Mean absolute percentage errors of a profile's step times, by kind of step, and predicted ÷ measured total time.</summary>
public sealed record StepErrors(
    double Decode, int DecodeSteps,
    double Prefill, int PrefillSteps,
    double Mixed, int MixedSteps,
    double TotalRatio);

/// <summary>The calibrated profile, which factors were fitted, and the held-out errors of the profile before and after.</summary>
public sealed record CalibrationReport(
    WorkerProfile Profile,
    bool DecodeFitted,
    bool PrefillFitted,
    StepErrors Before,
    StepErrors After,
    int TrainingSteps,
    int HeldOutSteps);
