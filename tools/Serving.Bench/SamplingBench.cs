using System.Diagnostics;
using Serving.Engine.Core;
using Serving.Engine.DefaultModel;
using Serving.Model.Sampling;
using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>
/// Whole engine steps (model, sampling, outputs) of a decode batch, greedy (one argmax on the device) against
/// sampled on the host (temperature 0.8, top-p 0.9, 5 logprobs: the path every other sampling option takes), with
/// the managed allocations and garbage collections each step causes: the figure behind the sampler's reused
/// buffers. On the default model's near-flat distribution top-p keeps most of the vocabulary, the costly case.
/// </summary>
internal static class SamplingBench
{
    sealed record Row(string Sampling, int Batch, double MedianStepMs, double P90StepMs, double AllocatedKiBPerStep, double Gen2PerHundredSteps);

    static readonly SamplingParams Greedy = SamplingParams.Greedy(1024) with { IgnoreEos = true };
    static readonly SamplingParams Sampled = Greedy with { Temperature = 0.8, TopP = 0.9, Logprobs = 5 };

    public static int Run(BenchOptions options)
    {
        var wall = Stopwatch.StartNew();
        var load = ProcInfo.LoadAverage();
        using var engine = LlmEngine.Create(new EngineOptions
        {
            ModelPath = DefaultModelStore.EnsureDefault(),
            Device = "cpu",
            DType = "float32",
            NumThreads = options.Threads,
            KvCacheBytes = 256L << 20,
        });
        var steps = options.StepsPerRep * 25;
        Console.Error.WriteLine($"engine steps, greedy vs sampled on the host; {options.Threads} thread(s), {options.Reps} reps × {steps} steps");
        var rows = new List<Row>();
        foreach (var batch in new[] { 1, 8 })
        {
            var samples = new Dictionary<string, List<double>> { ["greedy"] = [], ["sampled"] = [] };
            var allocated = new Dictionary<string, long> { ["greedy"] = 0, ["sampled"] = 0 };
            var gen2 = new Dictionary<string, int> { ["greedy"] = 0, ["sampled"] = 0 };
            for (var rep = 0; rep < options.Reps; rep++)
            {
                // Alternate which goes first so drift on the shared machine falls on both.
                foreach (var name in rep % 2 == 0 ? new[] { "greedy", "sampled" } : ["sampled", "greedy"])
                {
                    var sampling = name == "greedy" ? Greedy : Sampled;
                    for (var i = 0; i < batch; i++)
                        engine.AddRequest($"{name}-{rep}-{i}", engine.Encode($"Request {i}: once upon a time"), sampling with { Seed = i });
                    for (var i = 0; i < 4; i++)
                        engine.Step();
                    var bytes = GC.GetTotalAllocatedBytes(true);
                    var collections = GC.CollectionCount(2);
                    for (var i = 0; i < steps; i++)
                    {
                        var started = Stopwatch.GetTimestamp();
                        engine.Step();
                        samples[name].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                    allocated[name] += GC.GetTotalAllocatedBytes(true) - bytes;
                    gen2[name] += GC.CollectionCount(2) - collections;
                    for (var i = 0; i < batch; i++)
                        engine.Abort($"{name}-{rep}-{i}");
                    engine.Step();
                }
            }
            foreach (var (name, times) in samples)
            {
                times.Sort();
                var total = options.Reps * steps;
                var row = new Row(name, batch, Math.Round(Measurement.Median(times), 2), Math.Round(times[(int)(times.Count * 0.9)], 2),
                    Math.Round(allocated[name] / 1024.0 / total, 1), Math.Round(gen2[name] * 100.0 / total, 1));
                rows.Add(row);
                Console.WriteLine($"batch {batch,2}  {name,-8} median {row.MedianStepMs,6:F2} ms  p90 {row.P90StepMs,6:F2} ms  {row.AllocatedKiBPerStep,8:F1} KiB/step  gen2 {row.Gen2PerHundredSteps,5:F1} per 100 steps");
            }
        }

        ResultWriter.Write(options.Out, new
        {
            machine = MachineInfo.Read(),
            threads = options.Threads,
            reps = options.Reps,
            stepsPerRep = steps,
            loadAverageStart = load,
            loadAverageEnd = ProcInfo.LoadAverage(),
            seconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
            rows,
        });
        return 0;
    }
}
