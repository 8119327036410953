using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Serving.Model.Caching;

/// <summary>
/// The identity of a full KV block for prefix caching: xxHash64 of the block's token ids, seeded with the hash of the
/// block before it, so a hash names the block's tokens and every token before them. Engines register their blocks
/// under it; the router hashes a prompt the same way to find the workers that hold its prefix.
/// </summary>
public static class BlockHashes
{
    /// <summary>The hash of a block of <paramref name="tokens"/> that follows a block hashed <paramref name="previous"/> (0 for the first).</summary>
    public static ulong Chain(ulong previous, ReadOnlySpan<int> tokens)
    {
        var hasher = new XxHash64((long)previous);
        hasher.Append(MemoryMarshal.AsBytes(tokens));
        return hasher.GetCurrentHashAsUInt64();
    }

    /// <summary>The chained hashes of the prompt's full blocks that a prefix cache may hold: all but a block holding the last token, which is always computed.</summary>
    public static ulong[] OfPrompt(IReadOnlyList<int> tokens, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var count = Math.Max(0, (tokens.Count - 1) / blockSize);
        var hashes = new ulong[count];
        var block = new int[blockSize];
        ulong hash = 0;
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < blockSize; j++)
                block[j] = tokens[i * blockSize + j];
            hashes[i] = hash = Chain(hash, block);
        }
        return hashes;
    }
}
