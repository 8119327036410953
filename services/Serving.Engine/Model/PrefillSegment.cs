using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>
/// One sequence's prompt rows in a flattened batch. When part of its context is already in the cache
/// (prefix hit or recompute), attention reads the whole context from its blocks under <see cref="Mask"/>.
/// </summary>
internal sealed record PrefillSegment(int Start, int Length, int CachedLength, Tensor? ContextBlocks, Tensor? Mask) : IDisposable
{
    public int ContextLength => CachedLength + Length;

    public void Dispose()
    {
        ContextBlocks?.Dispose();
        Mask?.Dispose();
    }
}
