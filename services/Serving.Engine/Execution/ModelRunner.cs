using Serving.Engine.Cache;
using Serving.Engine.Model;
using Serving.Engine.Scheduling;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Execution;

/// <summary>
/// Turns a scheduled batch into tensors (token ids, positions, KV slots, block tables, masks) and runs the model on
/// them. It knows the cache and the model, never the scheduler.
/// </summary>
internal sealed class ModelRunner(IForwardModel model, KvCache cache) : IDisposable
{
    public IForwardModel Model { get; } = model;
    public KvCache Cache { get; } = cache;
    int BlockSize => Cache.Layout.BlockSize;

    /// <summary>Splits decode rows by context length (<see cref="DecodeGrouping"/>); off pads every row to the longest (benchmarks compare the two).</summary>
    public bool GroupDecodes { get; set; } = true;

    /// <summary>Runs a whole forward pass and returns float32 logits, one row per decode, then per prefill ending its prompt.</summary>
    public Tensor Run(ScheduledBatch scheduled) => Run(scheduled, 1, static (_, _) => { });

    /// <summary>Runs the pass in <paramref name="groups"/> contiguous layer groups, calling back after each with its layer range.</summary>
    public Tensor Run(ScheduledBatch scheduled, int groups, Action<int, int> groupDone)
    {
        using var batch = Prepare(scheduled.Decodes, scheduled.Prefills);
        Model.Begin(batch);
        var layers = Model.NumLayers;
        groups = Math.Clamp(groups, 1, layers);
        for (var g = 0; g < groups; g++)
        {
            var first = batch.NextLayer;
            Model.RunLayers(batch, layers * (g + 1) / groups, Cache);
            groupDone(first, batch.NextLayer);
        }
        return Model.Logits(batch);
    }

    /// <summary>Starts a prefill-only pass that the caller advances a layer group at a time, across iterations.</summary>
    public ForwardBatch BeginPrefill(IReadOnlyList<Sequence> prefills)
    {
        var batch = Prepare([], prefills);
        Model.Begin(batch);
        return batch;
    }

    public void RunLayers(ForwardBatch batch, int endLayer) => Model.RunLayers(batch, endLayer, Cache);

    public Tensor Logits(ForwardBatch batch) => Model.Logits(batch);

    /// <summary>
    /// Rebuilds a prefill pass in flight for the prompts that remain (<paramref name="keptSegments"/> index the old
    /// batch's segments), carrying their residual rows, so a dropped prompt's freed slots are never written again.
    /// </summary>
    public ForwardBatch Narrow(ForwardBatch batch, IReadOnlyList<Sequence> kept, IReadOnlyList<int> keptSegments)
    {
        var narrowed = BeginPrefill(kept);
        using (var scope = torch.NewDisposeScope())
        {
            var rows = keptSegments.Select(i => batch.Hidden!.narrow(0, batch.Prefills[i].Start, batch.Prefills[i].Length)).ToList();
            var hidden = torch.cat(rows, 0).DetachFromDisposeScope();
            narrowed.Hidden!.Dispose();
            narrowed.Hidden = hidden;
        }
        narrowed.NextLayer = batch.NextLayer;
        return narrowed;
    }

    public ForwardBatch Prepare(IReadOnlyList<Sequence> decodes, IReadOnlyList<Sequence> prefills)
    {
        var device = Model.Device;
        var tokens = new List<long>();
        var positions = new List<long>();
        var slots = new List<long>();
        var logitRows = new List<long>();

        foreach (var seq in decodes)
        {
            var pos = seq.Length - 1;
            logitRows.Add(tokens.Count);
            tokens.Add(seq.LastToken);
            positions.Add(pos);
            slots.Add(Slot(seq, pos));
        }

        var decodeGroups = new List<DecodeGroup>();
        if (decodes.Count > 0)
        {
            IReadOnlyList<int[]> groups = GroupDecodes
                ? DecodeGrouping.Split(decodes.Select(s => s.NumBlocks(BlockSize)).ToList())
                : [Enumerable.Range(0, decodes.Count).ToArray()];
            foreach (var rows in groups)
                decodeGroups.Add(Group(decodes, rows, inOrder: groups.Count == 1, device));
        }

        var segments = new List<PrefillSegment>(prefills.Count);
        foreach (var seq in prefills)
        {
            // From the first token without KV (cache hits, earlier chunks) to the end of this step's chunk.
            var start = tokens.Count;
            var cached = seq.NumComputedTokens;
            var end = seq.ScheduledEnd;
            var length = end - cached;
            for (var p = cached; p < end; p++)
            {
                tokens.Add(seq.Tokens[p]);
                positions.Add(p);
                slots.Add(Slot(seq, p));
            }
            if (seq.SamplesThisStep)
                logitRows.Add(tokens.Count - 1);

            Tensor? contextBlocks = null, mask = null;
            if (cached > 0)
            {
                var nb = (end + BlockSize - 1) / BlockSize;
                contextBlocks = torch.tensor(seq.BlockTable.Take(nb).Select(b => (long)b).ToArray(), device: device);
                var m = new bool[length * end];
                for (var i = 0; i < length; i++)
                    Array.Fill(m, true, i * end, cached + i + 1);
                mask = torch.tensor(m, [length, end], device: device);
            }
            segments.Add(new PrefillSegment(start, length, cached, contextBlocks, mask));
        }

        return new ForwardBatch
        {
            TokenIds = torch.tensor(tokens.ToArray(), device: device),
            Positions = torch.tensor(positions.ToArray(), device: device),
            SlotMapping = torch.tensor(slots.ToArray(), device: device),
            LogitRows = torch.tensor(logitRows.ToArray(), device: device),
            NumDecodes = decodes.Count,
            DecodeGroups = decodeGroups,
            Prefills = segments,
        };
    }

    /// <summary>The block table and key mask of some decode rows, padded to the longest of them.</summary>
    DecodeGroup Group(IReadOnlyList<Sequence> decodes, int[] rows, bool inOrder, Device device)
    {
        var maxBlocks = rows.Max(r => decodes[r].NumBlocks(BlockSize));
        var table = new long[rows.Length * maxBlocks];
        var mask = new bool[rows.Length * maxBlocks * BlockSize];
        for (var i = 0; i < rows.Length; i++)
        {
            var seq = decodes[rows[i]];
            for (var b = 0; b < seq.BlockTable.Count && b < maxBlocks; b++)
                table[i * maxBlocks + b] = seq.BlockTable[b];
            Array.Fill(mask, true, i * maxBlocks * BlockSize, seq.Length);
        }
        return new DecodeGroup(
            inOrder ? null : torch.tensor(rows.Select(r => (long)r).ToArray(), device: device),
            rows.Length,
            maxBlocks,
            torch.tensor(table, device: device),
            torch.tensor(mask, [rows.Length, 1, 1, maxBlocks * BlockSize], device: device));
    }

    long Slot(Sequence seq, int position) => (long)seq.BlockTable[position / BlockSize] * BlockSize + position % BlockSize;

    public void Dispose()
    {
        Model.Dispose();
        Cache.Dispose();
    }
}
