using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Host.Calibrating;
using Serving.Planning.Model;
using Serving.Worker.Runtime;

namespace Serving.Host.Tests.Calibrating;

public sealed class StepTraceCalibrationTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), $"steptrace-{Guid.NewGuid():N}");

    public StepTraceCalibrationTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // Runs prompts through a real engine loop that traces its steps; returns the trace file.
    async Task<string> TraceAsync(int[] promptLengths, int outputTokens, int layerGroups = 1)
    {
        var path = Path.Combine(folder, "trace", $"steps-mixed-0-{Guid.NewGuid():N}.csv");
        var engine = LlmEngine.Create(new EngineOptions { Device = "cpu", NumThreads = 1, EnablePrefixCaching = false, KvCacheBytes = 32L << 20, PrefillLayerGroups = layerGroups });
        var trace = new StepTrace(path, engine.Config.NumLayers);
        await using (var loop = new EngineLoop("mixed-0", engine, NullLogger.Instance, trace))
        {
            var rng = new Random(1);
            var streams = promptLengths.Select((length, i) => loop.Submit(
                $"r{i}", Enumerable.Range(0, length).Select(_ => rng.Next(100, 1000)).ToArray(),
                SamplingParams.Greedy(outputTokens) with { IgnoreEos = true })).ToList();
            foreach (var stream in streams)
                await foreach (var _ in stream.ReadAllAsync()) { }
        }
        return path;
    }

    [Fact]
    public async Task EngineLoop_WritesOneLinePerStep_WithWhatTheStepRan()
    {
        var path = await TraceAsync([40], outputTokens: 5);

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(StepTrace.Header, lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        // One prefill step (the first token), then four decode steps over a growing context.
        Assert.Equal(5, rows.Count);
        Assert.Equal(["0", "0", "1", "40", "1600", "8", "8"], rows[0][4..]);
        for (var i = 1; i < 5; i++)
            Assert.Equal(["1", (40 + i).ToString(), "0", "0", "0", "0", "8"], rows[i][4..]);
        foreach (var row in rows)
        {
            Assert.True(double.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture) > 0, "step time");
            Assert.True(double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture) > 0, "step CPU time (Linux)");
        }

        var steps = StepTraceFile.Read(path, skip: 1);
        Assert.Equal(4, steps.Count);
        Assert.All(steps, s => Assert.True(s.HasDecode && !s.HasPrefill));
    }

    [Fact]
    public async Task LayeredPrefill_TracesTheLayerShareOfEachGroupStep()
    {
        var path = await TraceAsync([64], outputTokens: 2, layerGroups: 4);

        var steps = StepTraceFile.Read(path, skip: 0);
        // The prompt runs two of the eight layers per step; its first token comes after the fourth.
        Assert.Equal([0.25, 0.25, 0.25, 0.25], steps.Where(s => s.HasPrefill).Select(s => s.PrefillLayerShare));
        Assert.Single(steps, s => s.HasDecode);
    }

    [Fact]
    public async Task Calibrate_OnARealTrace_SavesAProfileThatSaysWhereItCameFrom()
    {
        var trace = await TraceAsync([300, 40, 500, 120, 260, 700, 90, 410], outputTokens: 40);
        // An engine-alone profile deliberately far off (10× too fast): calibration must pull it toward the trace.
        var bench = new WorkerProfile("tiny-llama", "cpu-1t", 8,
            new PrefillModel(1e-4, 1e-6, 0), new DecodeModel(1e-4, 1e-5, 1e-8), 0, new TransferModel(8192, 1e8, 0.002));
        var profilePath = Path.Combine(folder, "bench.json");
        await ProfileJson.SaveAsync(bench, profilePath);
        var console = new StringWriter();

        var code = await CalibrateCommand.RunAsync(profilePath, [Path.GetDirectoryName(trace)!], skip: 0, null, console, CancellationToken.None);

        Assert.Equal(0, code);
        var calibrated = await ProfileJson.LoadAsync(Path.Combine(folder, "bench.calibrated.json"));
        var k = calibrated.Calibration!;
        Assert.Contains(Path.GetFileName(trace), k.Source);
        Assert.True(k.DecodeSteps >= ProfileCalibrator.MinSteps);
        Assert.True(k.DecodeFixedFactor > 1 || k.DecodeContextFactor > 1, $"decode factors {k.DecodeFixedFactor}, {k.DecodeContextFactor}");
        Assert.Contains("held-out steps", console.ToString());

        // Calibrating twice would stack corrections: refused.
        var again = await CalibrateCommand.RunAsync(Path.Combine(folder, "bench.calibrated.json"), [trace], 0, null, TextWriter.Null, CancellationToken.None);
        Assert.Equal(1, again);
    }

    [Fact]
    public async Task NotATrace_IsRefusedWithTheReason()
    {
        var bad = Path.Combine(folder, "steps-x.csv");
        await File.WriteAllTextAsync(bad, "a,b,c\n1,2,3\n");
        Assert.Contains("is not a step trace", Assert.Throws<InvalidDataException>(() => StepTraceFile.Read(bad, 0)).Message);

        var profilePath = Path.Combine(folder, "p.json");
        await ProfileJson.SaveAsync(new WorkerProfile("m", "d", 8, new PrefillModel(0.01, 1e-4, 0), new DecodeModel(0.01, 1e-4, 1e-6), 0, new TransferModel(8192, 1e8, 0.002)), profilePath);
        Assert.Equal(1, await CalibrateCommand.RunAsync(profilePath, [bad], 0, null, TextWriter.Null, CancellationToken.None));
        Assert.Equal(1, await CalibrateCommand.RunAsync(profilePath, [Path.Combine(folder, "missing")], 0, null, TextWriter.Null, CancellationToken.None));
    }
}
