using System.CommandLine;
using System.Globalization;
using System.Text;
using Serving.Host.Calibrating;
using Serving.Planning.Model;

namespace Serving.Host;

/// <summary>
/// Calibrates a profile (one engine alone) on the steps serving workers ran (<c>serving --step-trace DIR</c>): the
/// planner then simulates the cluster as it runs on this host, shared cores and mixed batches included.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var command = new Command(
            "calibrate",
            "Fit a profile's decode and prefill terms to the steps serving workers ran (serving --step-trace DIR) and save the calibrated profile.");
        var profile = new Option<string>("--profile") { Description = "The profile to calibrate (from `serving profile`).", Required = true };
        var traces = new Option<string[]>("--trace")
        {
            Description = "A step trace file or folder (repeat for several runs).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var skip = new Option<int>("--skip-steps") { Description = "Steps to leave out at the start of each trace (JIT warm-up).", DefaultValueFactory = _ => 20 };
        var output = new Option<string?>("--out") { Description = "Calibrated profile file (default: PROFILE with .calibrated.json)." };
        foreach (var o in new Option[] { profile, traces, skip, output })
            command.Options.Add(o);
        command.SetAction((parse, cancellation) => RunAsync(
            parse.GetValue(profile)!, parse.GetValue(traces)!, parse.GetValue(skip), parse.GetValue(output), Console.Out, cancellation));
        return command;
    }

    public static async Task<int> RunAsync(string profilePath, IReadOnlyList<string> tracePaths, int skip, string? outPath, TextWriter console, CancellationToken cancellationToken)
    {
        try
        {
            if (skip < 0)
                throw new ArgumentException("--skip-steps must be 0 or more.");
            var profile = await ProfileJson.LoadAsync(profilePath, cancellationToken);
            if (profile.Calibration is not null)
                throw new ArgumentException($"{profilePath} is already calibrated ({profile.Calibration.Source}); calibrate the profile `serving profile` wrote.");
            var files = tracePaths.SelectMany(StepTraceFile.Find).Distinct().ToList();
            var steps = files.SelectMany(f => StepTraceFile.Read(f, skip)).ToList();
            var source = string.Join(", ", files.Select(Path.GetFileName));
            var report = ProfileCalibrator.Calibrate(profile, steps, $"{steps.Count} steps of {source}");
            await console.WriteAsync(Describe(report, files.Count));
            var path = outPath ?? Path.ChangeExtension(profilePath, ".calibrated.json");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await ProfileJson.SaveAsync(report.Profile, path, cancellationToken);
            await console.WriteLineAsync($"saved {path}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    public static string Describe(CalibrationReport report, int files)
    {
        var c = CultureInfo.InvariantCulture;
        var k = report.Profile.Calibration!;
        var text = new StringBuilder();
        text.AppendLine(c, $"{report.TrainingSteps + report.HeldOutSteps} steps from {files} trace file(s): {k.DecodeSteps} with decodes, {k.PrefillSteps} with prefill work (training)");
        text.AppendLine(c, $"decode: fixed and per-request terms ×{k.DecodeFixedFactor:F2}, per-context-token term ×{k.DecodeContextFactor:F2}{(report.DecodeFitted ? "" : $" (not fitted: fewer than {ProfileCalibrator.MinSteps} steps)")}");
        text.AppendLine(c, $"prefill: ×{k.PrefillFactor:F2}{(report.PrefillFitted ? "" : $" (not fitted: fewer than {ProfileCalibrator.MinSteps} steps)")}");
        text.AppendLine(c, $"held-out steps ({report.HeldOutSteps}), mean abs. error   before    after");
        void Row(string name, double before, double after, int n)
        {
            if (n > 0)
                text.AppendLine(c, $"  {name,-28} {n,5} {before,8:P1} {after,8:P1}");
        }
        Row("decode only", report.Before.Decode, report.After.Decode, report.Before.DecodeSteps);
        Row("prefill only", report.Before.Prefill, report.After.Prefill, report.Before.PrefillSteps);
        Row("decode + prefill", report.Before.Mixed, report.After.Mixed, report.Before.MixedSteps);
        text.AppendLine(c, $"  predicted ÷ measured busy time     {report.Before.TotalRatio,8:F2} {report.After.TotalRatio,8:F2}");
        return text.ToString();
    }
}
