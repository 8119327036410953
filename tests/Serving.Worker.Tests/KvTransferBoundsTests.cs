using Serving.Contracts;
using Serving.Model.Sampling;
using Serving.Worker.Roles;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Pull;
using Serving.Worker.Transfer.Push;

namespace Serving.Worker.Tests;

/// <summary>What a transfer may hold and how long it may wait: bounded on the sending side, and freed when the bound is hit.</summary>
public sealed class KvTransferBoundsTests(DisaggregationFixture f) : IClassFixture<DisaggregationFixture>
{
    static readonly SamplingParams Greedy = SamplingParams.Greedy(8) with { IgnoreEos = true };

    [Fact]
    public async Task AnOutboxNobodyPulls_IsDroppedAfterThePullWait_AndThePrefillPoolIsWhole()
    {
        using var channels = new KvChannels(new GrpcKvOptions { PullWait = TimeSpan.FromMilliseconds(300) });
        var prefill = new PrefillRole(f.Prefill, new PullKvTransport(new KvOutboxRegistry(), channels), f.PrefillEndpoint);
        var request = new GenerationRequest("never-pulled", f.Reference.Encode("Nobody comes for this KV."), Greedy);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<KvTransferException>(() => prefill.PrefillAsync(request, new KvEndpoint("decode-gone", "http://127.0.0.1:1"), "token", 0, CancellationToken.None));

        Assert.Contains("nobody pulled", e.Message);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task APushWhoseQueueOutgrowsItsByteCap_Fails_AndTheDecodeWorkerRecomputes_WithTheSameOutput()
    {
        var prompt = f.Reference.Encode("A receiver too slow for the sender's queue gets the prompt computed locally instead.");
        var expected = f.Reference.Generate([prompt], Greedy)[0];
        // One byte: the first layer group is over the cap already.
        using var channels = new KvChannels(new GrpcKvOptions { MaxQueuedBytes = 1 });
        var capped = new PushKvTransport(channels);

        var decode = f.DecodeRole(capped, retries: 1);
        var tokens = new List<int>();
        await foreach (var o in decode.GenerateAsync(new GenerationRequest("capped-1", prompt, Greedy), new PrefillRole(f.Prefill, capped, f.PrefillEndpoint), CancellationToken.None))
            tokens.AddRange(o.NewTokenIds);

        Assert.Equal(expected, tokens);
        Assert.Equal(1, decode.Recomputed);
        await f.AssertPoolsWholeAsync();
    }
}
