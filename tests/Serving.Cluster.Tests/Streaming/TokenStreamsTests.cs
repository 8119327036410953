using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Cluster.Streaming;
using Serving.Contracts;

namespace Serving.Cluster.Tests.Streaming;

/// <summary>
/// The worker side of token delivery without a cluster: what a gateway's sink receives from many streams, how the
/// chunks are batched, and what stops a stream.
/// </summary>
public sealed class TokenStreamsTests
{
    static TokenChunk Chunk(int token, bool finished) => new([token], $"t{token}", null, finished, finished ? "length" : null, 1, token + 1, 0);

    static async IAsyncEnumerable<TokenChunk> Tokens(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return Chunk(i, i == count - 1);
        }
    }

    [Fact]
    public async Task ManyStreams_ReachTheirGateway_InOrder_InFewCalls_WhileACallIsInFlight()
    {
        var sink = new RecordingSink { HoldFirstCall = true };
        var streams = new TokenStreams(NullLogger<TokenStreams>.Instance);
        const int count = 50, tokens = 4;
        for (var id = 1; id <= count; id++)
            streams.Start(sink, id, ct => Tokens(tokens, ct));

        await sink.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // Everything the other streams make meanwhile waits for the one call in flight, then goes in one.
        await WaitUntil(() => streams.Open == 0);
        sink.Release();
        await WaitUntil(() => sink.Received.Count == count * tokens);

        foreach (var group in sink.Received.GroupBy(d => d.StreamId))
            Assert.Equal(Enumerable.Range(0, tokens), group.Select(d => d.Chunk!.TokenIds[0]));
        Assert.True(sink.Calls <= 3, $"{sink.Calls} calls for {count * tokens} chunks");
        Assert.All(sink.Received, d => Assert.Null(d.Error));
    }

    [Fact]
    public async Task AStreamThatFails_EndsWithItsError_AndOneThatStopsShort_WithAnEmptyDelivery()
    {
        var sink = new RecordingSink();
        var streams = new TokenStreams(NullLogger<TokenStreams>.Instance);
        streams.Start(sink, 1, ct => Failing(ct));
        streams.Start(sink, 2, ct => Unfinished(ct));
        await WaitUntil(() => sink.Received.Count(d => d.StreamId == 1) == 2 && sink.Received.Any(d => d.StreamId == 2 && d.Chunk is null));

        var failed = sink.Received.Where(d => d.StreamId == 1).ToList();
        Assert.Equal(0, failed[0].Chunk!.TokenIds[0]);
        Assert.IsType<WorkerBusyException>(failed[1].Error);
        var shortStream = sink.Received.Where(d => d.StreamId == 2).ToList();
        Assert.Equal([false, true], shortStream.Select(d => d.Chunk is null));
        Assert.All(shortStream, d => Assert.Null(d.Error));

        static async IAsyncEnumerable<TokenChunk> Failing([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return Chunk(0, false);
            throw new WorkerBusyException("busy");
        }

        static async IAsyncEnumerable<TokenChunk> Unfinished([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return Chunk(0, false);
        }
    }

    [Fact]
    public async Task Close_StopsTheStream_AndAnUnreachableGateway_StopsAllOfItsStreams()
    {
        var sink = new RecordingSink();
        var streams = new TokenStreams(NullLogger<TokenStreams>.Instance);
        var stopped = new ConcurrentDictionary<long, bool>();
        for (var id = 1; id <= 3; id++)
        {
            var stream = id;
            streams.Start(sink, stream, ct => Endless(() => stopped[stream] = true, ct));
        }
        await WaitUntil(() => sink.Received.Select(d => d.StreamId).Distinct().Count() == 3);

        streams.Close(sink, 2);
        await WaitUntil(() => stopped.ContainsKey(2));
        Assert.False(stopped.ContainsKey(1) || stopped.ContainsKey(3));

        sink.FailCalls = true;
        await WaitUntil(() => stopped.ContainsKey(1) && stopped.ContainsKey(3) && streams.Open == 0);
        // Closed or cut off, a stream sends nothing after it stops: no error is reported to a gateway that left.
        Assert.All(sink.Received, d => Assert.Null(d.Error));

        static async IAsyncEnumerable<TokenChunk> Endless(Action onStop, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var registration = cancellationToken.Register(onStop);
            for (var i = 0; ; i++)
            {
                await Task.Delay(5, cancellationToken);
                yield return Chunk(i, false);
            }
        }
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the condition did not hold within 10 s");
            await Task.Delay(5);
        }
    }

    /// <summary>A gateway's sink that records what it is sent; it can hold its first call open, or fail every call.</summary>
    sealed class RecordingSink : ITokenSink
    {
        readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls;

        public ConcurrentQueue<TokenDelivery> Received { get; } = new();
        public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool HoldFirstCall { get; init; }
        public volatile bool FailCalls;
        public int Calls => Volatile.Read(ref calls);

        public void Release() => release.TrySetResult();

        public async Task Deliver(TokenDelivery[] deliveries)
        {
            if (FailCalls)
                throw new InvalidOperationException("the gateway is gone");
            var call = Interlocked.Increment(ref calls);
            foreach (var d in deliveries)
                Received.Enqueue(d);
            if (call == 1)
            {
                FirstCall.TrySetResult();
                if (HoldFirstCall)
                    await release.Task;
            }
        }
    }
}
