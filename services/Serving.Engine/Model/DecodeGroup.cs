using static TorchSharp.torch;

namespace Serving.Engine.Model;

/// <summary>
/// Decode rows whose attention runs as one padded call: their block tables [rows · maxBlocks] (padded with block 0)
/// and a key mask [rows, 1, 1, maxBlocks · blockSize]. <see cref="Rows"/> are their rows in the batch; null when the
/// group is every decode row in order.
/// </summary>
internal sealed record DecodeGroup(Tensor? Rows, int Count, int MaxBlocks, Tensor Blocks, Tensor Mask) : IDisposable
{
    public void Dispose()
    {
        Rows?.Dispose();
        Blocks.Dispose();
        Mask.Dispose();
    }
}
