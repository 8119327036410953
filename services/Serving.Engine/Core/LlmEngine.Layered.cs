using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;

namespace Serving.Engine.Core;

// Layered prefill (arXiv 2510.08055): each step runs every layer for the decodes and one layer group for the prefill
// batch in flight, so a decode never waits for a whole prompt. New prompts join once the batch in flight is done.
public sealed partial class LlmEngine
{
    IReadOnlyList<RequestOutput> StepLayered(ScheduledBatch batch)
    {
        var outputs = new List<RequestOutput>();
        var stats = StepStats.Of(batch.Decodes, [], 0);
        if (batch.Decodes.Count > 0)
            outputs.AddRange(Execute(new ScheduledBatch(batch.Decodes, [])));
        // The scheduler admits prompts only when no batch is in flight, and only in layered mode.
        if (batch.Prefills.Count > 0)
            layered = new LayeredBatch(runner.BeginPrefill(batch.Prefills), batch.Prefills, PrefillLayerGroups);
        if (layered is not null)
        {
            stats = stats.Plus(StepStats.Of([], layered.Sequences, layered.EndLayer(Config.NumLayers) - layered.Batch.NextLayer));
            outputs.AddRange(AdvancePrefill(layered));
        }
        LastStep = stats;
        return outputs;
    }

    /// <summary>Runs the next layer group of the prefill in flight; after its last group, samples each prompt's first token.</summary>
    IReadOnlyList<RequestOutput> AdvancePrefill(LayeredBatch prefill)
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
        scheduler.Computed(prefill.Sequences);
        return Postprocess(prefill.Sequences, sampled);
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
