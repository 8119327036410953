namespace Serving.Engine.Cache;

/// <summary>Bookkeeping for one block of the pool. A block with a hash holds valid KV for its tokens and can be shared.</summary>
internal sealed class KvBlock(int id)
{
    public int Id { get; } = id;
    public int RefCount { get; set; }
    public ulong? Hash { get; set; }
    public int[] TokenIds { get; set; } = [];
}
