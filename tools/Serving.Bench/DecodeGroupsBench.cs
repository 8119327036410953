using System.Diagnostics;
using Serving.Engine.DefaultModel;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;
using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>
/// Decode steps over contexts of mixed length, with rows grouped by length (the engine's way) and padded to the
/// longest in one group (as before), alternating in one process: the figure behind <c>DecodeGrouping</c>. Equal
/// lengths are the control: there grouping must change nothing.
/// </summary>
internal static class DecodeGroupsBench
{
    sealed record Case(string Name, int Batch, int MinContext, int MaxContext);

    sealed record Row(string Case, int Batch, int MinContext, int MaxContext, int ContextTokens, int Groups, double GroupedMs, double PaddedMs, double Speedup);

    static readonly Case[] Cases =
    [
        new("uniform 1024–2048", 16, 1024, 2048),
        new("uniform 1024–2048", 32, 1024, 2048),
        new("uniform 128–2048", 16, 128, 2048),
        new("equal 1536 (control)", 16, 1536, 1536),
    ];

    public static int Run(BenchOptions options)
    {
        var wall = Stopwatch.StartNew();
        var load = ProcInfo.LoadAverage();
        var numBlocks = Cases.Max(c => c.Batch * (c.MaxContext / 16 + 4)) + 64;
        using var engine = LlmEngine.Create(new EngineOptions
        {
            ModelPath = DefaultModelStore.EnsureDefault(),
            Device = "cpu",
            DType = "float32",
            NumThreads = options.Threads,
            NumBlocks = numBlocks,
            EnablePrefixCaching = false,
        });
        var rows = new List<Row>();
        Console.Error.WriteLine($"decode steps, rows grouped by context length vs padded to the longest; {options.Threads} thread(s), median of {options.Reps} reps × {options.StepsPerRep} steps");
        foreach (var c in Cases)
        {
            var rng = new Random(7);
            var seqs = Enumerable.Range(0, c.Batch).Select(i =>
                new Sequence($"s{i}", Enumerable.Range(0, rng.Next(c.MinContext, c.MaxContext + 1)).Select(_ => rng.Next(100, 1000)).ToArray(),
                    SamplingParams.Greedy(1 << 20))).ToList();
            foreach (var seq in seqs)
            {
                engine.Scheduler.Blocks.Allocate(seq);
                using (engine.Runner.Run(new ScheduledBatch([], [seq]))) { }
            }
            var groups = Serving.Engine.Execution.DecodeGrouping.Split(seqs.Select(s => s.NumBlocks(engine.KvLayout.BlockSize)).ToList()).Count;
            var grouped = new List<double>();
            var padded = new List<double>();
            Time(true, 2);
            Time(false, 2);
            for (var rep = 0; rep < options.Reps; rep++)
            {
                // Alternate which goes first so drift on the shared machine falls on both.
                var first = rep % 2 == 0;
                (first ? grouped : padded).Add(Time(first, options.StepsPerRep));
                (first ? padded : grouped).Add(Time(!first, options.StepsPerRep));
            }
            foreach (var seq in seqs)
                engine.Scheduler.Blocks.Free(seq);
            var g = Measurement.Median(grouped);
            var p = Measurement.Median(padded);
            var row = new Row(c.Name, c.Batch, c.MinContext, c.MaxContext, seqs.Sum(s => s.Length), groups, Math.Round(g, 2), Math.Round(p, 2), Math.Round(p / g, 2));
            rows.Add(row);
            Console.WriteLine($"{c.Name,-22} batch {c.Batch,3}  Σcontext {row.ContextTokens,6}  groups {groups}  grouped {g,7:F2} ms  padded {p,7:F2} ms  ×{row.Speedup:F2}");

            // Milliseconds per decode step over the same rows (the KV slot of each row's last token is rewritten).
            double Time(bool group, int steps)
            {
                engine.Runner.GroupDecodes = group;
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < steps; i++)
                    using (engine.Runner.Run(new ScheduledBatch(seqs, []))) { }
                return sw.Elapsed.TotalMilliseconds / steps;
            }
        }
        engine.Runner.GroupDecodes = true;

        ResultWriter.Write(options.Out, new
        {
            machine = MachineInfo.Read(),
            threads = options.Threads,
            reps = options.Reps,
            stepsPerRep = options.StepsPerRep,
            loadAverageStart = load,
            loadAverageEnd = ProcInfo.LoadAverage(),
            seconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
            rows,
        });
        return 0;
    }
}
