using Serving.Engine.Cache;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Core;

/// <summary>
/// A sequence's KV for a range of layers as one contiguous buffer laid out
/// [layers, blocks, blockSize, 2, kvHeads, headDim], with what a receiver needs to check and place it.
/// </summary>
public sealed class KvExport : IDisposable
{
    readonly Tensor data;

    internal KvExport(string requestId, KvLayout layout, int firstLayer, int endLayer, int numTokens, int firstBlock, int numBlocks, Tensor data)
    {
        RequestId = requestId;
        Layout = layout;
        FirstLayer = firstLayer;
        EndLayer = endLayer;
        NumTokens = numTokens;
        FirstBlock = firstBlock;
        NumBlocks = numBlocks;
        this.data = data;
    }

    public string RequestId { get; }
    public KvLayout Layout { get; }
    public int FirstLayer { get; }
    public int EndLayer { get; }
    public int NumTokens { get; }

    /// <summary>The sequence's first block in this export: the receiver already held the ones before it.</summary>
    public int FirstBlock { get; }

    /// <summary>Blocks in this export, from <see cref="FirstBlock"/> on.</summary>
    public int NumBlocks { get; }
    public long ByteLength => data.NumberOfElements * data.ElementSize;

    /// <summary>The raw bytes, read in place from the tensor's storage (no copy).</summary>
    public ReadOnlySpan<byte> Bytes => data.bytes;

    /// <summary>The same bytes as memory, for asynchronous senders; valid until this export is disposed.</summary>
    public unsafe ReadOnlyMemory<byte> Memory
    {
        get
        {
            var span = data.bytes;
            fixed (byte* p = span)
                return new NativeMemory(p, span.Length).Memory;
        }
    }

    internal Tensor Tensor => data;

    public void Dispose() => data.Dispose();
}
