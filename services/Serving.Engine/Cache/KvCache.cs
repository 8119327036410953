using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Cache;

/// <summary>
/// The preallocated paged KV pool: one tensor [layers, blocks, blockSize, 2, kvHeads, headDim] written in place.
/// Block ids index the second dimension; the block manager decides which sequence owns which block.
/// </summary>
internal sealed class KvCache : IDisposable
{
    readonly Tensor pool;
    readonly Tensor[] slotViews;
    readonly Tensor[] blockViews;

    public KvCache(KvLayout layout, int numBlocks, ScalarType dtype, Device device)
    {
        Layout = layout;
        NumBlocks = numBlocks;
        pool = torch.zeros([layout.NumLayers, numBlocks, layout.BlockSize, 2, layout.NumKvHeads, layout.HeadDim], dtype, device);
        slotViews = new Tensor[layout.NumLayers];
        blockViews = new Tensor[layout.NumLayers];
        for (var l = 0; l < layout.NumLayers; l++)
        {
            blockViews[l] = pool.select(0, l);
            slotViews[l] = blockViews[l].view(numBlocks * layout.BlockSize, 2, layout.NumKvHeads, layout.HeadDim);
        }
    }

    public KvLayout Layout { get; }
    public int NumBlocks { get; }

    /// <summary>Bytes needed per block across all layers.</summary>

    /// <summary>Layer view by token slot: [blocks·blockSize, 2, kvHeads, headDim].</summary>
    public Tensor Slots(int layer) => slotViews[layer];

    /// <summary>Layer view by block: [blocks, blockSize, 2, kvHeads, headDim].</summary>
    public Tensor Blocks(int layer) => blockViews[layer];

    /// <summary>Copies the given blocks of layers [first, end) into one contiguous tensor [layers, blocks, blockSize, 2, kvHeads, headDim].</summary>
    public Tensor Export(IReadOnlyList<int> blockIds, int firstLayer, int endLayer)
    {
        using var ids = torch.tensor(blockIds.Select(b => (long)b).ToArray(), device: pool.device);
        using var layers = pool.narrow(0, firstLayer, endLayer - firstLayer);
        return layers.index_select(1, ids).contiguous();
    }

    /// <summary>Writes a tensor laid out as <see cref="Export"/> returns it into the given blocks.</summary>
    public void Import(IReadOnlyList<int> blockIds, int firstLayer, Tensor data)
    {
        using var ids = torch.tensor(blockIds.Select(b => (long)b).ToArray(), device: pool.device);
        using var layers = pool.narrow(0, firstLayer, data.shape[0]);
        using var src = data.to(pool.dtype).to(pool.device);
        layers.index_copy_(1, ids, src);
    }

    public void Dispose()
    {
        foreach (var v in slotViews)
            v.Dispose();
        foreach (var v in blockViews)
            v.Dispose();
        pool.Dispose();
    }
}
