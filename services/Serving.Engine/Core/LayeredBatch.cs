using Serving.Engine.Model;
using Serving.Engine.Scheduling;

namespace Serving.Engine.Core;

/// <summary>
/// A prefill batch between engine iterations: its pass (residual stream, positions, slots, masks) advances one
/// layer group per iteration while the decodes run their own full passes.
/// </summary>
internal sealed class LayeredBatch(ForwardBatch batch, IReadOnlyList<Sequence> sequences, int groups) : IDisposable
{
    public ForwardBatch Batch { get; private set; } = batch;

    /// <summary>The batch's prompts, in the order of its prefill segments.</summary>
    public List<Sequence> Sequences { get; } = [.. sequences];

    /// <summary>Fixed when the batch starts, so changing the engine's setting mid-flight cannot skip or repeat layers.</summary>
    public int Groups { get; } = groups;

    public int NextGroup { get; set; }
    public bool IsDone => NextGroup == Groups;

    public int EndLayer(int numLayers) => numLayers * (NextGroup + 1) / Groups;

    public void Replace(ForwardBatch narrowed)
    {
        Batch.Dispose();
        Batch = narrowed;
    }

    public void Dispose() => Batch.Dispose();
}
