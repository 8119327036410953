using System.Diagnostics;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Planning.Model;

namespace Serving.Host.Profiling;

/// <summary>Times one engine's prefill, decode and layered-prefill steps and fits the planner's latency model.</summary>
internal sealed class EngineProfiler(LlmEngine engine, ProfilerSettings settings, Action<string> progress)
{
    private const int HoldOutEvery = 4;
    private readonly Random random = new(settings.Seed);
    private int nextId;

    /// <summary>Warms up, measures every point (median of <see cref="ProfilerSettings.Repeats"/>), fits and returns the profile.</summary>
    public ProfileResult Run(string modelName, string deviceName)
    {
        var measurements = Measure();
        return Fit(measurements, settings, modelName, deviceName);
    }

    /// <summary>Fits the latency model to <paramref name="m"/>; the layer-group overhead is the median of tG − t1/G over G &gt; 1, at least 0.</summary>
    public static ProfileResult Fit(ProfileMeasurements m, ProfilerSettings settings, string modelName, string deviceName)
    {
        var prefill = LatencyFitter.FitPrefill(m.Prefill, HoldOutEvery);
        var decode = LatencyFitter.FitDecode(m.Decode, HoldOutEvery);
        var whole = m.LayerGroups.Where(p => p.Groups == 1).Select(p => p.Seconds).DefaultIfEmpty(0).First();
        var overheads = m.LayerGroups.Where(p => p.Groups > 1).Select(p => p.Seconds - whole / p.Groups).ToList();
        var overhead = overheads.Count == 0 ? 0 : Math.Max(0, Median(overheads));
        var profile = new WorkerProfile(
            modelName, deviceName, m.Layers, prefill.Model, decode.Model, overhead,
            // Until the transfer is measured (after the fit), the figures given, else KvBench's loopback gRPC median.
            new TransferModel(m.KvBytesPerToken, settings.KvBandwidthBytesPerSecond ?? 500e6, settings.KvLatencySeconds ?? 0.001));
        return new ProfileResult(profile, prefill, decode, m);
    }

    private ProfileMeasurements Measure()
    {
        progress("warming up");
        for (var i = 0; i < 3; i++)
        {
            TimePrefill([128, 128]);
            TimeDecode(4, 64, 2);
        }

        var prefill = new List<PrefillPoint>();
        foreach (var lengths in settings.PrefillBatches)
        {
            var seconds = Median(Enumerable.Range(0, settings.Repeats).Select(_ => TimePrefill(lengths)).ToList());
            prefill.Add(new PrefillPoint(lengths.Sum(), lengths.Sum(l => (double)l * l), seconds, lengths.Length));
            progress($"prefill {lengths.Length} × {lengths[0]} tokens: {seconds * 1000:F2} ms");
        }

        var decode = new List<DecodePoint>();
        foreach (var context in settings.DecodeContexts)
        {
            foreach (var batch in settings.DecodeBatchSizes)
            {
                // A batch the pool cannot hold would be preempted while timed: skip it.
                if ((long)batch * (context + batch + settings.Repeats + 8) > 0.9 * engine.NumTotalBlocks * engine.KvLayout.BlockSize)
                {
                    progress($"decode batch {batch}, context {context} tokens: skipped (more KV than the engine's pool holds)");
                    continue;
                }
                var point = TimeDecode(batch, context, settings.Repeats);
                decode.Add(point);
                progress($"decode batch {batch}, context {point.ContextTokens} tokens: {point.Seconds * 1000:F2} ms/step");
            }
        }

        var groups = new List<LayerGroupPoint>();
        foreach (var g in settings.LayerGroups.Where(g => g <= engine.Config.NumLayers))
        {
            var seconds = Median(Enumerable.Range(0, settings.Repeats).Select(_ => TimeLayerGroupStep(g)).ToList());
            groups.Add(new LayerGroupPoint(g, settings.LayerGroupPromptTokens, seconds));
            progress($"layered prefill G={g}, {settings.LayerGroupPromptTokens} tokens: {seconds * 1000:F2} ms per group step");
        }
        engine.PrefillLayerGroups = 1;

        var layout = engine.KvLayout;
        var bytesPerToken = (double)layout.BlockBytesPerLayer / layout.BlockSize * layout.NumLayers;
        return new ProfileMeasurements(prefill, decode, groups, engine.Config.NumLayers, bytesPerToken);
    }

    // One step admits the whole batch (it fits the token budget) and finishes it: one token per prompt.
    private double TimePrefill(IReadOnlyList<int> lengths)
    {
        foreach (var length in lengths)
            engine.AddRequest(NextId(), RandomTokens(length), SamplingParams.Greedy(1) with { IgnoreEos = true });
        var clock = Stopwatch.StartNew();
        engine.Step();
        var seconds = clock.Elapsed.TotalSeconds;
        Drain();
        return seconds;
    }

    // Prefills `batch` prompts of `context` tokens untimed, then times `steps` pure decode steps. The point records the batch
    // and context the timed steps actually ran (read from their outputs), not the nominal ones: prompts admitted in
    // earlier steps of a large batch have already decoded a few tokens by then.
    private DecodePoint TimeDecode(int batch, int context, int steps)
    {
        var ids = Enumerable.Range(0, batch).Select(_ => NextId()).ToList();
        // No request may finish while timed: admission takes at most one step per prompt, each step adds one token.
        var sampling = SamplingParams.Greedy(batch + steps + 4) with { IgnoreEos = true };
        foreach (var id in ids)
            engine.AddRequest(id, RandomTokens(context), sampling);
        do engine.Step(); while (engine.NumWaiting > 0);
        var times = new List<double>();
        var batches = new List<int>();
        var contexts = new List<long>();
        for (var i = 0; i < steps; i++)
        {
            var clock = Stopwatch.StartNew();
            var outputs = engine.Step();
            times.Add(clock.Elapsed.TotalSeconds);
            batches.Add(outputs.Count);
            // A decode step attends over the prompt and every output token but the one it just produced.
            contexts.Add(outputs.Sum(o => (long)o.PromptTokens + o.OutputTokens - 1));
        }
        foreach (var id in ids) engine.Abort(id);
        Drain();
        if (batches.Any(b => b != batch))
            progress($"decode batch {batch}: the timed steps ran {string.Join(", ", batches)} requests");
        // Context grows by one token per request per step; the mean over the timed steps stands with their median time.
        return new DecodePoint((int)Math.Round(batches.Average()), (long)Math.Round(contexts.Average()), Median(times));
    }

    // The median of the G steps a prompt takes with G layer groups (G = 1: the whole prefill).
    private double TimeLayerGroupStep(int groups)
    {
        engine.PrefillLayerGroups = groups;
        engine.AddRequest(NextId(), RandomTokens(settings.LayerGroupPromptTokens), SamplingParams.Greedy(1) with { IgnoreEos = true });
        var times = new List<double>();
        while (engine.HasUnfinishedRequests)
        {
            var clock = Stopwatch.StartNew();
            engine.Step();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return Median(times);
    }

    private void Drain()
    {
        while (engine.HasUnfinishedRequests) engine.Step();
    }

    private string NextId() => $"profile-{nextId++}";

    // Random ids so that no prefix is cached between points.
    private int[] RandomTokens(int count)
    {
        var vocab = Math.Min(engine.Config.VocabSize, 32000);
        return Enumerable.Range(0, count).Select(_ => random.Next(16, vocab)).ToArray();
    }

    /// <summary>The median of timings (sorts them in place).</summary>
    internal static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
