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
        var layers = f.Decode.Description.KvLayout.NumLayers;
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            // Every layer, two at a time: a request is admitted only once all its layers are in.
            for (var first = 0; first < layers; first += 2)
                foreach (var message in Chunks(group, chunkBytes: 20_000, first))
                {
                    // An unknown field after the chunk is skipped, as any protobuf parser would.
                    var frame = KvPullParser.Parse(SegmentedBytes.Of([.. message.ToByteArray(), .. UnknownField()], 7_000), session);
                    Assert.Same(KvPullFrame.Chunk, frame);
                }
            Assert.Equal(group.Length * layers / 2, session.BytesReceived);

            var done = new KvPushRequest { Done = new KvTransferDone { FirstToken = 42 } };
            var last = KvPullParser.Parse(new ReadOnlySequence<byte>(done.ToByteArray()), session);
            Assert.Equal(42, last.Done?.FirstToken);
            await session.CompleteAsync(last.Done!);
        }
        Assert.Equal(group.Length * layers / 2, f.Inbox.BytesImported - importedBefore);
        await FinishAsync(id);
    }

    [Fact]
    public async Task Session_DoneBeforeEveryLayerArrived_IsRefused_AndNothingIsAdmitted()
    {
        var (id, group) = await ReserveAsync("parse-5");
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            foreach (var message in Chunks(group, chunkBytes: group.Length, firstLayer: 0))
                session.Accept(message.Chunk);

            var e = await Assert.ThrowsAsync<KvTransferException>(() => session.CompleteAsync(new KvTransferDone { FirstToken = 42 }));
            Assert.Contains("ended without layers [2, ", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(0, await f.Decode.InvokeAsync(e => e.NumRunning));
        Abandon(id);
        await f.AssertPoolsWholeAsync();
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public async Task Session_AGroupWithANonFiniteValue_IsRefused_BeforeItReachesThePool(float bad)
    {
        var (id, group) = await ReserveAsync("parse-8");
        BitConverter.TryWriteBytes(group.AsSpan(group.Length / 2 / sizeof(float) * sizeof(float)), bad);
        var importedBefore = f.Inbox.BytesImported;
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            var chunks = Chunks(group, chunkBytes: group.Length / 2).ToList();
            session.Accept(chunks[0].Chunk);
            var e = Assert.Throws<RpcException>(() => session.Accept(chunks[1].Chunk));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains("non-finite", e.Status.Detail, StringComparison.Ordinal);
        }
        Assert.Equal(importedBefore, f.Inbox.BytesImported);
        Abandon(id);
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Session_HeaderThenDoneWithNoChunks_IsRefused()
    {
        var (id, _) = await ReserveAsync("parse-6");
        await using (var session = new KvReceiveSession(f.Inbox, id))
            await Assert.ThrowsAsync<KvTransferException>(() => session.CompleteAsync(new KvTransferDone { FirstToken = 42 }));
        Abandon(id);
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Session_FirstTokenOutsideTheVocabulary_IsRefused_AndTheEngineKeepsServing()
    {
        var (id, group) = await ReserveAsync("parse-7");
        var layers = f.Decode.Description.KvLayout.NumLayers;
        await using (var session = new KvReceiveSession(f.Inbox, id))
        {
            for (var first = 0; first < layers; first += 2)
                foreach (var message in Chunks(group, chunkBytes: group.Length, first))
                    session.Accept(message.Chunk);
            var e = await Assert.ThrowsAnyAsync<Exception>(() => session.CompleteAsync(new KvTransferDone { FirstToken = 1 << 30 }));
            Assert.Contains("vocabulary", e.Message, StringComparison.Ordinal);
        }
        Abandon(id);
        await f.AssertPoolsWholeAsync();
        // The bad token never reached a step: the engine still generates for others.
        var prompt = f.Reference.Encode("still serving");
        var outputs = f.Decode.Submit("after-bad-token", prompt, Greedy);
        var tokens = new List<int>();
        await foreach (var o in outputs.ReadAllAsync())
            tokens.AddRange(o.NewTokenIds);
        Assert.Equal(f.Reference.Generate([prompt], Greedy)[0], tokens);
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

    /// <summary>Reserves a short prompt's blocks and returns random finite float32 KV of the size of two layers.</summary>
    async Task<(string Id, byte[] Group)> ReserveAsync(string id)
    {
        var prompt = f.Reference.Encode("bytes parsed straight into the import buffer");
        Assert.NotNull(await f.Decode.ReserveImportAsync(id, prompt, Greedy, reuseCachedPrefix: false));
        f.Inbox.Expect(id, prompt.Count);
        var layout = f.Decode.Description.KvLayout;
        Assert.Equal("float32", layout.DType);
        var values = new float[(prompt.Count + layout.BlockSize - 1) / layout.BlockSize * layout.BlockBytesPerLayer * 2 / sizeof(float)];
        var random = new Random(7);
        for (var i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return (id, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    /// <summary>The chunks of one two-layer group starting at <paramref name="firstLayer"/>.</summary>
    static IEnumerable<KvPushRequest> Chunks(byte[] group, int chunkBytes, int firstLayer = 0)
    {
        for (var offset = 0; offset < group.Length; offset += chunkBytes)
        {
            var data = group.AsSpan(offset, Math.Min(chunkBytes, group.Length - offset));
            yield return new KvPushRequest
            {
                Chunk = new KvChunk
                {
                    FirstLayer = firstLayer, EndLayer = firstLayer + 2, Offset = offset, GroupBytes = group.Length,
                    Data = ByteString.CopyFrom(data), Checksum = XxHash3.HashToUInt64(data),
                },
            };
        }
    }

    /// <summary>Field 15, varint 300.</summary>
    static byte[] UnknownField() => [15 << 3, 0xAC, 0x02];


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
}
