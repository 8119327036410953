using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.KvBench.Receiver;
using Serving.KvBench.Reporting;
using Serving.Worker.Runtime;
using Serving.Worker.Transfer;

namespace Serving.KvBench.Sender;

/// <summary>
/// Bulk KV throughput: one prompt is prefilled once and held, and its KV is re-exported and pushed as many distinct
/// requests (each reserved and imported for real on the receiver) per repetition; the raw TCP baseline moves the
/// same byte count over a plain socket.
/// </summary>
internal sealed class ThroughputPhase(EngineLoop prefill, ReceiverProcess receiver, IReadOnlyList<int> prompt, long targetBytes, int groups)
{
    const string HeldId = "tp-held";
    readonly byte[] tcpBuffer = Random.Shared.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 1 << 20);
    int firstToken;

    public long BytesPerRequest => (prompt.Count + prefill.Description.KvLayout.BlockSize - 1) / prefill.Description.KvLayout.BlockSize
        * prefill.Description.KvLayout.BlockBytesPerLayer * prefill.Description.KvLayout.NumLayers;

    public int Requests => (int)((targetBytes + BytesPerRequest - 1) / BytesPerRequest);

    public async Task HoldAsync()
    {
        var sampling = new SamplingParams { Temperature = 0, MaxTokens = 2, IgnoreEos = true };
        var outputs = prefill.Submit(HeldId, prompt, sampling, export => export.Dispose());
        firstToken = (await outputs.ReadAsync()).NewTokenIds[0];
    }

    public void Release() => prefill.Release(HeldId);

    /// <param name="tls">Over the receiver's mutual-TLS port (the transport's channels carry the certificate).</param>
    public async Task<ThroughputSample> GrpcAsync(int rep, IKvTransport transport, int chunkBytes, int streams, bool tls = false)
    {
        var (ids, tokens, exports, bytes) = await PrepareAsync($"tp{(tls ? "s" : "")}-{rep}-{chunkBytes}-{streams}");

        var endpoint = new KvEndpoint(ReceiverHost.WorkerId, tls ? receiver.TlsAddress! : receiver.KvAddress);
        var next = -1;
        var cpu = Cpu();
        var start = Clock.Now();
        await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ids.Length)
            {
                var header = new KvTransferHeader(ids[i], ReceiverHost.WorkerId, prefill.Description.KvLayout, prompt.Count, tokens[i]);
                await using var sender = await transport.OpenAsync(endpoint, header, CancellationToken.None);
                foreach (var group in exports[i])
                    sender.Enqueue(group);
                await sender.CompleteAsync(new FirstToken(firstToken, null), CancellationToken.None);
            }
        })));
        var end = Clock.Now();
        cpu = Cpu() - cpu;

        foreach (var id in ids)
        {
            var done = await receiver.WaitAsync(id);
            if (done.OutputTokens != 1)
                throw new InvalidOperationException($"{id}: decode worker produced {done.OutputTokens} tokens, expected the imported first token only.");
        }
        return ThroughputSample.Of(rep, tls ? "grpc-tls" : "grpc", chunkBytes, streams, bytes, Clock.Ms(start, end) / 1000, cpu);
    }

    /// <summary>
    /// The pull direction: the same requests, but each is queued in this process's outbox and the receiver pulls it
    /// from <paramref name="pullAddress"/>; the clock stops once every request is admitted on the decode side.
    /// </summary>
    public async Task<ThroughputSample> PullAsync(int rep, IKvTransport pull, string pullAddress, int chunkBytes)
    {
        var (ids, tokens, exports, bytes) = await PrepareAsync($"tpp-{rep}-{chunkBytes}");

        var endpoint = new KvEndpoint(ReceiverHost.WorkerId, receiver.KvAddress);
        var cpu = Cpu();
        var start = Clock.Now();
        for (var i = 0; i < ids.Length; i++)
        {
            var header = new KvTransferHeader(ids[i], ReceiverHost.WorkerId, prefill.Description.KvLayout, prompt.Count, tokens[i]);
            await using var sender = await pull.OpenAsync(endpoint, header, CancellationToken.None);
            await receiver.PullAsync(ids[i], pullAddress, prompt.Count, tokens[i]);
            foreach (var group in exports[i])
                sender.Enqueue(group);
            await sender.CompleteAsync(new FirstToken(firstToken, null), CancellationToken.None);
        }
        foreach (var id in ids)
        {
            var done = await receiver.WaitAsync(id);
            if (done.OutputTokens != 1)
                throw new InvalidOperationException($"{id}: decode worker produced {done.OutputTokens} tokens, expected the imported first token only.");
        }
        var end = Clock.Now();
        cpu = Cpu() - cpu;
        return ThroughputSample.Of(rep, "grpc-pull", chunkBytes, 1, bytes, Clock.Ms(start, end) / 1000, cpu);
    }

    /// <summary>
    /// Reserves the sample's requests on the receiver and takes their exports before the clock starts: the samples
    /// measure the wire and the receiver's import.
    /// </summary>
    async Task<(string[] Ids, string[] Tokens, List<KvExport>[] Exports, long Bytes)> PrepareAsync(string prefix)
    {
        var ids = Enumerable.Range(0, Requests).Select(i => $"{prefix}-{i}").ToArray();
        var tokens = new string[ids.Length];
        for (var i = 0; i < ids.Length; i++)
            tokens[i] = await receiver.ReserveAsync(ids[i], prompt.Count, 1);
        var layers = prefill.Description.KvLayout.NumLayers;
        var exports = new List<KvExport>[ids.Length];
        for (var i = 0; i < ids.Length; i++)
            exports[i] = await prefill.InvokeAsync(e => Enumerable.Range(0, groups)
                .Select(g => e.ExportKv(HeldId, g * layers / groups, (g + 1) * layers / groups)).ToList());
        return (ids, tokens, exports, exports.Sum(list => list.Sum(x => x.ByteLength)));
    }

    public async Task<ThroughputSample> TcpAsync(int rep, long bytes)
    {
        var stream = receiver.Tcp.GetStream();
        var ack = new byte[1];
        var cpu = Cpu();
        var start = Clock.Now();
        await stream.WriteAsync(BitConverter.GetBytes(bytes));
        for (var left = bytes; left > 0; left -= tcpBuffer.Length)
            await stream.WriteAsync(tcpBuffer.AsMemory(0, (int)Math.Min(tcpBuffer.Length, left)));
        await stream.ReadExactlyAsync(ack);
        var end = Clock.Now();
        cpu = Cpu() - cpu;
        return ThroughputSample.Of(rep, "tcp", tcpBuffer.Length, 1, bytes, Clock.Ms(start, end) / 1000, cpu);
    }

    /// <summary>CPU seconds used so far by this process and the receiver.</summary>
    double Cpu() => CpuClock.Seconds(Environment.ProcessId, receiver.ProcessId);
}
