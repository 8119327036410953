using System.Buffers;
using System.IO.Hashing;
using Google.Protobuf;
using Grpc.Core;
using Serving.Model.Sampling;
using Serving.Protocol.V1;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Pull;

namespace Serving.Worker.Tests;

public sealed class KvReceiveSessionTests(DisaggregationFixture f) : IClassFixture<DisaggregationFixture>
{
    static readonly SamplingParams Greedy = SamplingParams.Greedy(4) with { IgnoreEos = true };

    [Fact]
    public async Task PullParser_ChunksSplitAcrossBufferSegments_AreAssembledAndImported()
    {
        var (id, group) = await ReserveAsync("parse-1");
        var importedBefore = f.Inbox.BytesImported;
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            foreach (var message in Chunks(group, chunkBytes: 20_000))
            {
                // An unknown field after the chunk is skipped, as any protobuf parser would.
                var frame = KvPullParser.Parse(Segmented([.. message.ToByteArray(), .. UnknownField()], 7_000), session);
                Assert.Same(KvPullFrame.Chunk, frame);
            }
            Assert.Equal(group.Length, session.BytesReceived);

            var done = new KvPushRequest { Done = new KvTransferDone { FirstToken = 42 } };
            var last = KvPullParser.Parse(new ReadOnlySequence<byte>(done.ToByteArray()), session);
            Assert.Equal(42, last.Done?.FirstToken);
            await session.CompleteAsync(last.Done!);
        }
        Assert.Equal(group.Length, f.Inbox.BytesImported - importedBefore);
        await FinishAsync(id);
    }

    [Fact]
    public async Task PullParser_CorruptedChunk_IsDataLoss()
    {
        var (id, group) = await ReserveAsync("parse-2");
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            var message = Chunks(group, chunkBytes: group.Length).Single();
            message.Chunk.Checksum ^= 1;

            var e = Assert.Throws<RpcException>(() => KvPullParser.Parse(new ReadOnlySequence<byte>(message.ToByteArray()), session));
            Assert.Equal(StatusCode.DataLoss, e.StatusCode);
            Assert.Equal(0, session.BytesReceived);
        }
        Abandon(id);
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Session_ChunkOutOfOrder_IsRefused()
    {
        var (id, group) = await ReserveAsync("parse-3");
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            var chunks = Chunks(group, chunkBytes: group.Length / 4).ToList();
            session.Accept(chunks[0].Chunk);

            var e = Assert.Throws<RpcException>(() => session.Accept(chunks[2].Chunk));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        }
        Abandon(id);
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Session_GroupLargerThanThePool_IsRefusedBeforeAnyMemoryIsTaken()
    {
        var (id, _) = await ReserveAsync("parse-4");
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            var payload = new byte[1024];
            var e = Assert.Throws<RpcException>(() => session.Accept(0, 2, 0, 1L << 40, XxHash3.HashToUInt64(payload), payload));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        }
        Abandon(id);
        await f.AssertPoolsWholeAsync();
    }

    /// <summary>Reserves a short prompt's blocks and returns random bytes of the size of its layers [0, 2).</summary>
    async Task<(string Id, byte[] Group)> ReserveAsync(string id)
    {
        var prompt = f.Reference.Encode("bytes parsed straight into the import buffer");
        Assert.NotNull(await f.Decode.ReserveImportAsync(id, prompt, Greedy));
        f.Inbox.Expect(id);
        var layout = f.Decode.Description.KvLayout;
        var group = new byte[(prompt.Count + layout.BlockSize - 1) / layout.BlockSize * layout.BlockBytesPerLayer * 2];
        new Random(7).NextBytes(group);
        return (id, group);
    }

    static IEnumerable<KvPushRequest> Chunks(byte[] group, int chunkBytes)
    {
        for (var offset = 0; offset < group.Length; offset += chunkBytes)
        {
            var data = group.AsSpan(offset, Math.Min(chunkBytes, group.Length - offset));
            yield return new KvPushRequest
            {
                Chunk = new KvChunk
                {
                    FirstLayer = 0, EndLayer = 2, Offset = offset, GroupBytes = group.Length,
                    Data = ByteString.CopyFrom(data), Checksum = XxHash3.HashToUInt64(data),
                },
            };
        }
    }

    /// <summary>Field 15, varint 300.</summary>
    static byte[] UnknownField() => [15 << 3, 0xAC, 0x02];

    static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentBytes)
    {
        Segment? first = null, last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentBytes)
        {
            var next = new Segment(bytes.AsMemory(offset, Math.Min(segmentBytes, bytes.Length - offset)), offset);
            if (last is null)
                first = next;
            else
                last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    async Task FinishAsync(string id)
    {
        // The request was admitted with its first token and decodes to its end; its blocks come back.
        for (var i = 0; i < 100 && await f.Decode.InvokeAsync(e => e.NumFreeBlocks) != f.Decode.Engine.NumTotalBlocks; i++)
            await Task.Delay(20);
        f.Inbox.Forget(id);
        await f.AssertPoolsWholeAsync();
    }

    void Abandon(string id)
    {
        f.Inbox.Forget(id);
        f.Decode.Abort(id);
    }

    sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }
}
