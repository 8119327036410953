using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>
/// The inputs and carried state of one forward pass over a flattened batch: decode rows first (one token each),
/// then prefill segments. <see cref="Hidden"/> is the residual stream between layer ranges, so a pass can be run
/// a group of layers at a time (layered prefill) and resumed later.
/// </summary>
internal sealed class ForwardBatch : IDisposable
{
    public required Tensor TokenIds { get; init; }
    public required Tensor Positions { get; init; }
    public required Tensor SlotMapping { get; init; }
    public required Tensor LogitRows { get; init; }
    public int NumDecodes { get; init; }
    /// <summary>The decode rows by context length, each group's attention one padded call (<see cref="Runtime.DecodeGrouping"/>).</summary>
    public IReadOnlyList<DecodeGroup> DecodeGroups { get; init; } = [];
    public IReadOnlyList<PrefillSegment> Prefills { get; init; } = [];

    public int NumTokens => (int)TokenIds.shape[0];

    /// <summary>Rope rows for <see cref="Positions"/>, set when the pass begins.</summary>
    public Tensor? Cos { get; set; }
    public Tensor? Sin { get; set; }

    /// <summary>The residual stream [tokens, hidden]; null before the pass begins.</summary>
    public Tensor? Hidden { get; set; }

    /// <summary>Index of the next layer to run.</summary>
    public int NextLayer { get; set; }

    public void Dispose()
    {
        TokenIds.Dispose();
        Positions.Dispose();
        SlotMapping.Dispose();
        LogitRows.Dispose();
        foreach (var g in DecodeGroups)
            g.Dispose();
        foreach (var p in Prefills)
            p.Dispose();
        Cos?.Dispose();
        Sin?.Dispose();
        Hidden?.Dispose();
    }
}
