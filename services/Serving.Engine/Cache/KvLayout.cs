namespace Serving.Engine.Cache;

/// <summary>
/// The shape of a KV cache: what two engines must agree on before KV bytes can move between them.
/// Per layer the pool is [blocks, blockSize, 2 (k, v), kvHeads, headDim].
/// </summary>
public sealed record KvLayout(int NumLayers, int BlockSize, int NumKvHeads, int HeadDim, string DType, string ModelFingerprint)
{
    public int ElementSize => DType switch { "float32" => 4, "bfloat16" or "float16" => 2, _ => throw new NotSupportedException(DType) };

    /// <summary>Bytes of one block in one layer (keys and values).</summary>
    public long BlockBytesPerLayer => (long)BlockSize * 2 * NumKvHeads * HeadDim * ElementSize;

    /// <summary>Bytes of one block over every layer: what a transfer moves per block.</summary>
    public long BlockBytes => BlockBytesPerLayer * NumLayers;
}
