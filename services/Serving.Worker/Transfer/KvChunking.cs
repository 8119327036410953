using System.IO.Hashing;
using Google.Protobuf;
using Serving.Engine.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer;

/// <summary>Cuts one exported layer group into checksummed chunks that wrap its memory without copying.</summary>
internal static class KvChunking
{
    /// <summary>The chunk messages of a group; valid while the export lives.</summary>
    public static IEnumerable<KvPushRequest> Chunks(KvExport group, int chunkBytes)
    {
        var memory = group.Memory;
        for (var offset = 0; offset < memory.Length; offset += chunkBytes)
        {
            var slice = memory.Slice(offset, Math.Min(chunkBytes, memory.Length - offset));
            yield return new KvPushRequest
            {
                Chunk = new KvChunk
                {
                    FirstLayer = group.FirstLayer,
                    EndLayer = group.EndLayer,
                    Offset = offset,
                    GroupBytes = memory.Length,
                    Data = UnsafeByteOperations.UnsafeWrap(slice),
                    Checksum = XxHash3.HashToUInt64(slice.Span),
                },
            };
        }
    }
}
