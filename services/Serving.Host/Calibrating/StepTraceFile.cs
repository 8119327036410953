using System.Globalization;
using Serving.Planning.Model;
using Serving.Worker.Runtime;

namespace Serving.Host.Calibrating;

/// <summary>Reads the step traces workers write with <c>serving --step-trace DIR</c> (<see cref="StepTrace"/>).</summary>
internal static class StepTraceFile
{
    /// <summary>The trace files at <paramref name="path"/>: the file itself, or every <c>steps-*.csv</c> in the folder.</summary>
    public static IReadOnlyList<string> Find(string path)
    {
        if (File.Exists(path))
            return [path];
        if (!Directory.Exists(path))
            throw new FileNotFoundException($"no step trace at {path}");
        var files = Directory.GetFiles(path, "steps-*.csv").Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files : throw new FileNotFoundException($"no steps-*.csv in {path} (serving --step-trace writes them)");
    }

    /// <summary>
    /// The steps of one trace, skipping the first <paramref name="skip"/> (the JIT compiles during a worker's first steps)
    /// and steps that ran nothing.
    /// </summary>
    public static IReadOnlyList<StepSample> Read(string file, int skip)
    {
        using var reader = new StreamReader(file);
        var header = reader.ReadLine();
        if (header != StepTrace.Header)
            throw new InvalidDataException($"{file} is not a step trace: its first line should be '{StepTrace.Header}'.");
        var steps = new List<StepSample>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            var f = line.Split(',');
            if (f.Length != 11)
                throw new InvalidDataException($"{file}:{lineNumber}: expected 11 fields, found {f.Length}.");
            try
            {
                var layers = int.Parse(f[10], CultureInfo.InvariantCulture);
                var prefillLayers = int.Parse(f[9], CultureInfo.InvariantCulture);
                var step = new StepSample(
                    int.Parse(f[4], CultureInfo.InvariantCulture),
                    long.Parse(f[5], CultureInfo.InvariantCulture),
                    int.Parse(f[6], CultureInfo.InvariantCulture),
                    long.Parse(f[7], CultureInfo.InvariantCulture),
                    double.Parse(f[8], CultureInfo.InvariantCulture),
                    layers > 0 ? (double)prefillLayers / layers : 1,
                    double.Parse(f[1], CultureInfo.InvariantCulture) / 1000);
                if (step.HasDecode || step.HasPrefill)
                    steps.Add(step);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{file}:{lineNumber}: {e.Message}", e);
            }
        }
        return steps.Skip(skip).ToList();
    }
}
