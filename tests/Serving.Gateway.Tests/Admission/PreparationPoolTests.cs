using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Admission;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Tests.Admission;

public sealed class PreparationPoolTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Enter_BeyondConcurrencyAndQueue_Is429WithRetryAfter_UntilAPlaceIsGivenBack()
    {
        var pool = new PreparationPool(concurrency: 1, queue: 1);
        var first = pool.Enter();
        using var second = pool.Enter();

        var refused = Assert.Throws<ApiException>(() => pool.Enter());
        Assert.Equal(429, refused.Status);
        Assert.Equal("queue_full", refused.Code);
        Assert.Equal(1, refused.RetryAfterSeconds);
        Assert.Equal(2, pool.Held);

        first.Dispose();
        first.Dispose(); // twice gives back one place
        using var third = pool.Enter();
        Assert.Equal(2, pool.Held);
    }

    [Fact]
    public async Task PrepareAsync_RunsAtMostConcurrencyAtOnce_TheRestWaitTheirTurn()
    {
        var pool = new PreparationPool(concurrency: 2, queue: 4);
        var release = new SemaphoreSlim(0);
        int running = 0, most = 0;
        var prepares = Enumerable.Range(0, 6).Select(i => Task.Run(() => pool.PrepareAsync(Request($"{{\"i\":{i}}}"), 1024, body =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            Assert.True(release.Wait(Timeout));
            Interlocked.Decrement(ref running);
            return body.Int("i", 0);
        }, CancellationToken.None))).ToArray();

        await WaitUntilAsync(() => Volatile.Read(ref running) == 2);
        await Task.Delay(100); // a third would have started by now
        Assert.Equal(2, Volatile.Read(ref running));
        release.Release(6);

        Assert.Equal([0, 1, 2, 3, 4, 5], (await Task.WhenAll(prepares)).Order());
        Assert.Equal(2, most);
        Assert.Equal(0, pool.Held);
    }

    [Fact]
    public async Task PrepareAsync_AClientStillUploading_HoldsAPlace_NotATurn()
    {
        var pool = new PreparationPool(concurrency: 1, queue: 1);
        var upload = new Pipe();
        var slow = pool.PrepareAsync(Request(upload.Reader.AsStream()), 1024, body => body.Int("i", 0), CancellationToken.None);

        // The only turn is free while the slow body is still arriving.
        var quick = await pool.PrepareAsync(Request("{\"i\":2}"), 1024, body => body.Int("i", 0), CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(2, quick);
        Assert.Equal(1, pool.Held);

        await upload.Writer.WriteAsync(Encoding.UTF8.GetBytes("{\"i\":1}"));
        await upload.Writer.CompleteAsync();
        Assert.Equal(1, await slow.WaitAsync(Timeout));
        Assert.Equal(0, pool.Held);
    }

    [Fact]
    public async Task PrepareAsync_ARefusedRequest_GivesBackItsPlaceAndTurn()
    {
        var pool = new PreparationPool(concurrency: 1, queue: 0);

        var invalid = await Assert.ThrowsAsync<ApiException>(() => pool.PrepareAsync<int?>(Request("{\"i\":"), 1024, body => body.Int("i", 0), CancellationToken.None));
        Assert.Equal(400, invalid.Status);
        var refused = await Assert.ThrowsAsync<ApiException>(() => pool.PrepareAsync<int?>(Request("{\"i\":-1}"), 1024, body => body.Int("i", 0), CancellationToken.None));
        Assert.Equal("i", refused.Param);

        Assert.Equal(0, pool.Held);
        Assert.Equal(3, await pool.PrepareAsync(Request("{\"i\":3}"), 1024, body => body.Int("i", 0), CancellationToken.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task PrepareAsync_CancelledWhileWaitingItsTurn_GivesBackItsPlace()
    {
        var pool = new PreparationPool(concurrency: 1, queue: 1);
        var release = new SemaphoreSlim(0);
        var busy = Task.Run(() => pool.PrepareAsync(Request("{}"), 1024, _ => release.Wait(Timeout), CancellationToken.None));
        await WaitUntilAsync(() => release.CurrentCount == 0 && pool.Held == 1);
        using var cancel = new CancellationTokenSource();

        var waiting = pool.PrepareAsync(Request("{}"), 1024, _ => true, cancel.Token);
        await WaitUntilAsync(() => pool.Held == 2);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, pool.Held);
        release.Release();
        Assert.True(await busy);
        Assert.Equal(0, pool.Held);
    }

    static HttpRequest Request(string json) => Request(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    static HttpRequest Request(Stream body)
    {
        var http = new DefaultHttpContext();
        http.Request.Body = body;
        if (body.CanSeek)
            http.Request.ContentLength = body.Length;
        return http.Request;
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the pool never got there");
            await Task.Delay(10);
        }
    }
}
