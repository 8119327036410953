using System.Diagnostics;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;

namespace Serving.Bench;

/// <summary>Our engine, driven below the scheduler: the model runner and the paged KV cache directly.</summary>
internal sealed class EngineSide : IBenchSide
{
    readonly LlmEngine engine;
    readonly List<Sequence> pool = [];
    int prefills;

    public EngineSide(string modelFolder, string dtype, int threads, int numBlocks)
    {
        engine = LlmEngine.Create(new EngineOptions
        {
            ModelPath = modelFolder,
            Device = "cpu",
            DType = dtype,
            NumThreads = threads,
            NumBlocks = numBlocks,
            EnablePrefixCaching = false,
        });
        Name = $"ours {dtype}";
    }

    public string Name { get; }

    public IReadOnlyList<int> Encode(string text) => engine.Encode(text);

    public double Prefill(IReadOnlyList<int> tokens)
    {
        var seq = new Sequence($"prefill{prefills++}", tokens, SamplingParams.Greedy(1));
        engine.Scheduler.Blocks.Allocate(seq);
        var sw = Stopwatch.StartNew();
        using (engine.Runner.Run(new ScheduledBatch([], [seq]))) { }
        var ms = sw.Elapsed.TotalMilliseconds;
        engine.Scheduler.Blocks.Free(seq);
        return ms;
    }

    public void PrepareDecodePool(IReadOnlyList<int[]> prompts)
    {
        // Four prompts per forward pass keeps the setup fast without large activations.
        for (var start = 0; start < prompts.Count; start += 4)
        {
            var group = new List<Sequence>();
            for (var i = start; i < Math.Min(start + 4, prompts.Count); i++)
            {
                var seq = new Sequence($"pool{i}", prompts[i], SamplingParams.Greedy(1 << 20));
                engine.Scheduler.Blocks.Allocate(seq);
                group.Add(seq);
            }
            using (engine.Runner.Run(new ScheduledBatch([], group))) { }
            pool.AddRange(group);
        }
    }

    public double DecodeStep(int first, int count, int token)
    {
        var batch = pool.GetRange(first, count);
        foreach (var seq in batch)
        {
            seq.Append(token);
            engine.Scheduler.Blocks.Append(seq);
        }
        var sw = Stopwatch.StartNew();
        using (engine.Runner.Run(new ScheduledBatch(batch, []))) { }
        return sw.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
        foreach (var seq in pool)
            engine.Scheduler.Blocks.Free(seq);
        engine.Dispose();
    }
}
