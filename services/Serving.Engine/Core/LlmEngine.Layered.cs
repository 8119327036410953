using Serving.Engine.Sampling;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;

namespace Serving.Engine.Core;

// Layered prefill (arXiv 2510.08055): each step runs every layer for the decodes and one layer group for the prefill
// batch in flight, so a decode never waits for a whole prompt. New prompts join once the batch in flight is done.
public sealed partial class LlmEngine
{
    IReadOnlyList<RequestOutput> StepLayered()
    {
        var batch = scheduler.Schedule(layered: true);
        var outputs = new List<RequestOutput>();
        var stats = Stats(batch.Decodes, [], 0);
        if (batch.Decodes.Count > 0)
            outputs.AddRange(Execute(new ScheduledBatch(batch.Decodes, [])));
        if (batch.Prefills.Count > 0)
            layered = new LayeredPrefill(runner.BeginPrefill(batch.Prefills), batch.Prefills, Math.Min(prefillLayerGroups, Config.NumLayers));
        if (layered is not null)
        {
            stats = stats.Plus(Stats([], layered.Sequences, layered.EndLayer(Config.NumLayers) - layered.Batch.NextLayer));
            outputs.AddRange(AdvancePrefill(layered));
        }
        LastStep = stats;
        return outputs;
    }

    /// <summary>Runs the next layer group of the prefill in flight; after its last group, samples each prompt's first token.</summary>
    IReadOnlyList<RequestOutput> AdvancePrefill(LayeredPrefill prefill)
    {
        var first = prefill.Batch.NextLayer;
        var end = prefill.EndLayer(Config.NumLayers);
        runner.RunLayers(prefill.Batch, end);
        prefill.NextGroup++;
        if (KvExported is not null)
            foreach (var seq in prefill.Sequences.Where(s => s.HoldAfterPrefill))
                KvExported(ExportKv(seq, first, end, seq.Length));
        if (!prefill.IsDone)
            return [];

        layered = null;
        Sampler.Result[] sampled;
        using (prefill)
        using (var logits = runner.Logits(prefill.Batch))
            sampled = Sampler.Sample(logits, prefill.Sequences, eosTokenIds);
        var outputs = new List<RequestOutput>(sampled.Length);
        for (var i = 0; i < sampled.Length; i++)
        {
            var seq = prefill.Sequences[i];
            scheduler.FinishPrefill(seq);
            outputs.Add(Postprocess(seq, sampled[i], isPrefill: true));
        }
        return outputs;
    }

    /// <summary>Takes an aborted prompt out of the prefill in flight before its blocks are freed and reused.</summary>
    void DropFromPrefill(Sequence seq)
    {
        var prefill = layered!;
        var index = prefill.Sequences.IndexOf(seq);
        prefill.Sequences.RemoveAt(index);
        if (prefill.Sequences.Count == 0)
        {
            prefill.Dispose();
            layered = null;
            return;
        }
        var kept = Enumerable.Range(0, prefill.Sequences.Count + 1).Where(i => i != index).ToList();
        prefill.Replace(runner.Narrow(prefill.Batch, prefill.Sequences, kept));
    }
}
