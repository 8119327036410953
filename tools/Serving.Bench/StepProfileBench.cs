using System.Diagnostics;
using Serving.Engine.Core;
using Serving.Engine.DefaultModel;
using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;
using Serving.Model.Sampling;
using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>
/// Where a decode step's time goes: the engine's own step (scheduler, model, sampling, outputs) beside the same
/// step taken apart below the scheduler — building the batch's tensors, embedding, each layer, the final norm with
/// the LM head, and greedy sampling — each phase timed on its own, with the managed allocations per step.
/// </summary>
internal static class StepProfileBench
{
    sealed record Phase(string Name, double MedianMs, double P90Ms);

    sealed record Row(int Batch, double ContextStart, double EngineStepMs, double PhasesSumMs, double AllocatedKiBPerStep, IReadOnlyList<Phase> Phases);

    const int DecodeToken = 262; // " the": any fixed token does

    public static int Run(BenchOptions options)
    {
        var wall = Stopwatch.StartNew();
        var load = ProcInfo.LoadAverage();
        var maxBatch = options.DecodeBatches.Max();
        using var engine = LlmEngine.Create(new EngineOptions
        {
            ModelPath = DefaultModelStore.EnsureDefault(),
            Device = "cpu",
            DType = options.DType,
            NumThreads = options.Threads,
            NumBlocks = maxBatch * ((options.DecodeContext + 64 * options.Reps * options.StepsPerRep) / 16 + 2),
            EnablePrefixCaching = false,
        });
        var steps = options.StepsPerRep * 4;
        Console.Error.WriteLine($"decode step profile, {options.DType}, {options.Threads} thread(s), context ≈ {options.DecodeContext}, {options.Reps} reps × {steps} steps per batch");
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog while the band plays on. ", 400));
        var tokens = engine.Encode(text);
        var rows = new List<Row>();
        foreach (var batch in options.DecodeBatches)
        {
            var prompts = Enumerable.Range(0, batch).Select(i => tokens.Skip(i).Take(options.DecodeContext).ToArray()).ToArray();

            // The engine's own step: requests through the scheduler, as a worker runs them.
            var names = Enumerable.Range(0, batch).Select(i => $"b{batch}-{i}").ToArray();
            for (var i = 0; i < batch; i++)
                engine.AddRequest(names[i], prompts[i], SamplingParams.Greedy(1024) with { IgnoreEos = true });
            while (engine.NumWaiting > 0)
                engine.Step();

            // The same step taken apart, on sequences of its own below the scheduler.
            var pool = new List<Sequence>();
            for (var i = 0; i < batch; i++)
            {
                var seq = new Sequence($"parts-{batch}-{i}", prompts[i], SamplingParams.Greedy(1 << 20));
                engine.Scheduler.Blocks.Allocate(seq);
                using (engine.Runner.Run(new ScheduledBatch([], [seq]))) { }
                pool.Add(seq);
            }

            var stepSamples = new List<double>();
            var phases = new Dictionary<string, List<double>>();
            long allocated = 0;
            for (var rep = 0; rep < options.Reps; rep++)
            {
                Console.Error.WriteLine($"batch {batch}: rep {rep + 1}/{options.Reps}");
                for (var i = 0; i < 2; i++)
                    engine.Step();
                for (var i = 0; i < steps; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    engine.Step();
                    stepSamples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                TakeApart(engine, pool, null);
                var bytes = GC.GetTotalAllocatedBytes(true);
                for (var i = 0; i < steps; i++)
                    TakeApart(engine, pool, phases);
                allocated += GC.GetTotalAllocatedBytes(true) - bytes;
            }
            foreach (var name in names)
                engine.Abort(name);
            engine.Step();
            foreach (var seq in pool)
                engine.Scheduler.Blocks.Free(seq);

            stepSamples.Sort();
            var list = phases.Select(p =>
            {
                p.Value.Sort();
                return new Phase(p.Key, Math.Round(Measurement.Median(p.Value), 3), Math.Round(p.Value[(int)(p.Value.Count * 0.9)], 3));
            }).ToList();
            var layers = engine.Config.NumLayers;
            var sum = list.Sum(p => p.Name.Contains("(each)") ? p.MedianMs * (layers - 1) : p.MedianMs);
            var row = new Row(batch, Math.Round(pool.Average(s => s.Length), 1), Math.Round(Measurement.Median(stepSamples), 3), Math.Round(sum, 3),
                Math.Round(allocated / 1024.0 / (options.Reps * steps), 1), list);
            rows.Add(row);
            Console.WriteLine($"batch {batch,2}  engine step {row.EngineStepMs,7:F3} ms   phases {row.PhasesSumMs,7:F3} ms   {row.AllocatedKiBPerStep,6:F1} KiB/step (phases)");
            foreach (var p in list)
                Console.WriteLine($"          {p.Name,-22} {p.MedianMs,7:F3} ms  (p90 {p.P90Ms:F3})");
        }

        ResultWriter.Write(options.Out, new
        {
            machine = MachineInfo.Read(),
            dtype = options.DType,
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

    /// <summary>One decode step of the pool's sequences, phase by phase; <paramref name="phases"/> null for a warm-up.</summary>
    static void TakeApart(LlmEngine engine, List<Sequence> decodes, Dictionary<string, List<double>>? phases)
    {
        var runner = engine.Runner;
        foreach (var seq in decodes)
        {
            seq.Append(DecodeToken);
            engine.Scheduler.Blocks.Append(seq);
        }
        var t = Stopwatch.GetTimestamp();
        void Lap(string name)
        {
            var now = Stopwatch.GetTimestamp();
            if (phases is not null)
            {
                if (!phases.TryGetValue(name, out var list))
                    phases[name] = list = [];
                list.Add(Stopwatch.GetElapsedTime(t, now).TotalMilliseconds);
            }
            t = now;
        }
        using var batch = runner.Prepare(decodes, []);
        Lap("batch tensors");
        runner.Model.Begin(batch);
        Lap("embed + rope rows");
        for (var l = 0; l < runner.Model.NumLayers; l++)
        {
            runner.RunLayers(batch, l + 1);
            Lap(l == 0 ? "layer 0" : "layers 1..n (each)");
        }
        using var logits = runner.Logits(batch);
        Lap("final norm + LM head");
        Sampler.Sample(logits, decodes, engine.EosTokenIds);
        Lap("greedy sampling");
    }
}
