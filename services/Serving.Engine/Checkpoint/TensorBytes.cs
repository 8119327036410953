using TorchSharp;

namespace Serving.Engine.Checkpoint;

/// <summary>Copies raw bytes between unmanaged memory and a CPU tensor's storage, in int-sized chunks.</summary>
internal static class TensorBytes
{
    // Tensor.bytes is a Span, so at most int.MaxValue bytes per view; big tensors go through flat slices.
    private const long ChunkBytes = 1L << 30;

    public static unsafe void CopyFrom(torch.Tensor destination, byte* source, long byteCount)
    {
        ForEachChunk(destination, byteCount, (span, offset) =>
            new ReadOnlySpan<byte>(source + offset, span.Length).CopyTo(span));
    }

    public static void WriteTo(torch.Tensor source, Stream stream)
    {
        long byteCount = source.NumberOfElements * source.ElementSize;
        ForEachChunk(source, byteCount, (span, _) => stream.Write(span));
    }

    public static unsafe void CopyTo(torch.Tensor source, byte* destination, long byteCount)
    {
        ForEachChunk(source, byteCount, (span, offset) =>
            span.CopyTo(new Span<byte>(destination + offset, span.Length)));
    }

    private delegate void ChunkAction(Span<byte> chunk, long byteOffset);

    private static void ForEachChunk(torch.Tensor tensor, long byteCount, ChunkAction action)
    {
        if (tensor.device_type != DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException("tensor must be a contiguous CPU tensor", nameof(tensor));
        if (byteCount != tensor.NumberOfElements * tensor.ElementSize)
            throw new ArgumentException($"byte count {byteCount} does not match tensor size", nameof(byteCount));
        if (byteCount == 0) return;
        if (byteCount <= ChunkBytes)
        {
            action(tensor.bytes, 0);
            return;
        }
        using var flat = tensor.view(-1);
        long elementsPerChunk = ChunkBytes / tensor.ElementSize;
        for (long start = 0; start < flat.shape[0]; start += elementsPerChunk)
        {
            long count = Math.Min(elementsPerChunk, flat.shape[0] - start);
            using var slice = flat.narrow(0, start, count);
            action(slice.bytes, start * tensor.ElementSize);
        }
    }
}
