using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Worker.Runtime;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Push;

namespace Serving.Host.Profiling;

/// <summary>
/// Measures KV transfer the way workers do it: a held prompt's KV, exported in layer groups from the profiled engine,
/// pushed with the gRPC transport to a KV server on loopback and imported into a second engine's reserved blocks
/// (checksums, chunking and the import included). A one-block transfer gives the fixed cost; long ones, the bandwidth.
/// On one machine both ends share its cores, as a prefill and a decode worker on one host do.
/// </summary>
internal sealed class KvTransferProbe(LlmEngine engine, EngineOptions options, Action<string> progress)
{
    const string ReceiverId = "kv-probe";
    const int Groups = 4;
    int nextId;

    /// <summary>Transfers of <paramref name="longTokens"/> tokens (and of one block) <paramref name="repeats"/> times each; medians.</summary>
    public async Task<(double BytesPerSecond, double LatencySeconds)> MeasureAsync(int longTokens, int repeats, CancellationToken cancellationToken)
    {
        var kv = new GrpcKvOptions();
        await using var server = await StandaloneKvServer.StartAsync(kv);
        var layout = engine.KvLayout;
        var bytesPerToken = (long)layout.BlockBytesPerLayer * layout.NumLayers / layout.BlockSize;
        var receiver = LlmEngine.Create(options with { KvCacheBytes = Math.Max(64L << 20, 4 * (longTokens + layout.BlockSize) * bytesPerToken), EnablePrefixCaching = false });
        await using var loop = new EngineLoop(ReceiverId, receiver, NullLogger.Instance);
        var inbox = new KvInbox(ReceiverId, loop);
        server.Inboxes.Add(inbox);
        using var channels = new KvChannels(kv);
        var transport = new PushKvTransport(channels);
        var endpoint = new KvEndpoint(ReceiverId, server.Address);

        var small = Hold(layout.BlockSize);
        var large = Hold(longTokens);
        try
        {
            for (var i = 0; i < 2; i++) // warm-up: connection, JIT
                await TransferAsync(large, loop, inbox, transport, endpoint, cancellationToken);
            var latency = EngineProfiler.Median([.. await RepeatAsync(small)]);
            var seconds = EngineProfiler.Median(await RepeatAsync(large));
            var bytes = large.Bytes;
            var bandwidth = bytes / Math.Max(1e-6, seconds - latency);
            progress($"KV transfer over loopback gRPC: {layout.BlockSize} tokens in {latency * 1000:F2} ms; {longTokens} tokens ({bytes / 1e6:F1} MB) in {seconds * 1000:F1} ms → {bandwidth / 1e6:F0} MB/s");
            return (bandwidth, latency);
        }
        finally
        {
            engine.Release(small.Id);
            engine.Release(large.Id);
        }

        async Task<List<double>> RepeatAsync(Held held)
        {
            var seconds = new List<double>();
            for (var i = 0; i < repeats; i++)
                seconds.Add(await TransferAsync(held, loop, inbox, transport, endpoint, cancellationToken));
            return seconds;
        }
    }

    sealed record Held(string Id, int[] Prompt, int FirstToken, long Bytes);

    /// <summary>Prefills a prompt on the profiled engine and keeps it held, so its KV can be exported again and again.</summary>
    Held Hold(int tokens)
    {
        var id = $"kv-held-{nextId++}";
        var prompt = Enumerable.Range(0, tokens).Select(i => 1 + i % (engine.Config.VocabSize - 1)).ToArray();
        engine.AddRequest(id, prompt, SamplingParams.Greedy(2) with { IgnoreEos = true }, holdAfterPrefill: true);
        int? first = null;
        while (first is null)
            foreach (var output in engine.Step())
                if (output.RequestId == id && output.NewTokenIds.Count > 0)
                    first = output.NewTokenIds[0];
        var layout = engine.KvLayout;
        var blocks = (tokens + layout.BlockSize - 1) / layout.BlockSize;
        return new Held(id, prompt, first.Value, blocks * layout.BlockBytes);
    }

    /// <summary>One transfer, timed from opening the stream to the first token admitted on the receiver.</summary>
    async Task<double> TransferAsync(Held held, EngineLoop loop, KvInbox inbox, PushKvTransport transport, KvEndpoint endpoint, CancellationToken cancellationToken)
    {
        var id = $"kv-transfer-{nextId++}";
        // Every transfer moves the whole prompt's KV: the probe measures the transport, not the receiver's cache.
        var outputs = (await loop.ReserveImportAsync(id, held.Prompt, SamplingParams.Greedy(1) with { IgnoreEos = true }, reuseCachedPrefix: false))?.Outputs
            ?? throw new InvalidOperationException("the probe's receiving engine has no room for the transfer.");
        var transferToken = inbox.Expect(id, held.Prompt.Length);
        var layers = engine.KvLayout.NumLayers;
        var exports = Enumerable.Range(0, Groups).Select(g => engine.ExportKv(held.Id, g * layers / Groups, (g + 1) * layers / Groups)).ToList();
        var clock = Stopwatch.StartNew();
        await using (var sender = await transport.OpenAsync(endpoint, new KvTransferHeader(id, ReceiverId, engine.KvLayout, held.Prompt.Length, transferToken), cancellationToken))
        {
            foreach (var group in exports)
                sender.Enqueue(group);
            await sender.CompleteAsync(new FirstToken(held.FirstToken, null), cancellationToken);
        }
        await outputs.ReadAsync(cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        // The receiving request ends after its one token; its blocks are free again.
        await outputs.Completion.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        return seconds;
    }
}
