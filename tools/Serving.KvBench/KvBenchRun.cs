using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Core;
using Serving.KvBench.Reporting;
using Serving.KvBench.Sender;
using Serving.Worker.Roles;
using Serving.Worker.Runtime;
using Serving.Worker.Security;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Pull;
using Serving.Worker.Transfer.Push;
using TorchSharp;

namespace Serving.KvBench;

/// <summary>
/// The parent's whole run: prefill engines here, the decode engine in a child process, warm-up rounds, then
/// repetitions that interleave every throughput and handoff measurement.
/// </summary>
internal sealed class KvBenchRun(KvBenchOptions options)
{
    const int ThroughputPrompt = 2048;
    static readonly int[] GroupSettings = [1, 4];

    public List<ThroughputSample> Throughput { get; } = [];
    public List<ThroughputSample> Ceiling { get; } = [];
    public List<HandoffSample> Handoff { get; } = [];
    public List<string> Checks { get; } = [];
    public Dictionary<string, string> Settings { get; } = [];

    public async Task RunAsync()
    {
        torch.set_num_threads(options.Threads);
        var mb = (long)options.Mb << 20;
        // Every throughput request of a repetition is reserved before the clock starts, plus room for the handoffs.
        var decodePoolMb = options.Mb + 64;
        Progress($"starting receiver (decode pool {decodePoolMb} MiB)");
        // The tls part: development certificates for both processes, so the push runs over mutual TLS beside plaintext.
        var tlsDir = options.Runs("tls") ? Path.Combine(Path.GetTempPath(), $"kvbench-tls-{Environment.ProcessId}") : null;
        if (tlsDir is not null)
            DevelopmentCertificates.Write(tlsDir, [], TimeSpan.FromDays(1));
        await using var receiver = await ReceiverProcess.StartAsync(decodePoolMb, options.ChunkBytes.Max(), options.Threads, tlsDir);
        using var tls = tlsDir is null ? null : ClusterTls.Load(tlsDir);

        var loops = GroupSettings.ToDictionary(g => g, g => new EngineLoop($"prefill-g{g}", LlmEngine.Create(new EngineOptions
        {
            Device = "cpu", DType = "float32", KvCacheBytes = 64L << 20, EnablePrefixCaching = false, KvExportLayerGroups = g,
        }), NullLogger.Instance));
        var channelsByChunk = options.ChunkBytes.ToDictionary(c => c, c => new KvChannels(new GrpcKvOptions { ChunkBytes = c }));
        var grpcByChunk = channelsByChunk.ToDictionary(kv => kv.Key, kv => new PushKvTransport(kv.Value));
        // For the pull direction this (prefill) process serves KV too: the receiver pulls from it.
        var pullOptions = new GrpcKvOptions();
        await using var pullServer = await StandaloneKvServer.StartAsync(pullOptions);
        var pullAddress = pullServer.Address;
        using var pullChannels = new KvChannels(pullOptions);
        var pull = new PullKvTransport(pullServer.Outboxes, pullChannels);
        var handoffChannels = new KvChannels(new GrpcKvOptions());
        var tlsChannels = tls is null ? null : new KvChannels(new GrpcKvOptions(), tls);
        var tlsGrpc = tlsChannels is null ? null : new PushKvTransport(tlsChannels);
        var handoffGrpc = new PushKvTransport(handoffChannels);
        try
        {
            var engine = loops[4].Engine;
            var prompts = options.PromptLengths.ToDictionary(n => n, n => Prompts.Make(engine, n));
            var tracing = new TracingKvTransport(handoffGrpc);
            var handoff = new HandoffPhase(loops.ToDictionary(kv => kv.Key, kv => new PrefillRole(kv.Value, tracing, new KvEndpoint(kv.Value.Name, pullAddress))), tracing, receiver);
            var throughput = new ThroughputPhase(loops[4], receiver, Prompts.Make(engine, ThroughputPrompt), mb, groups: 4);
            await throughput.HoldAsync();
            RecordSettings(engine, throughput, decodePoolMb);

            var defaultChunk = new GrpcKvOptions().ChunkBytes;
            using var ceiling = new CeilingPhase(receiver, defaultChunk);
            for (var rep = 1 - options.Warmup; rep <= options.Reps; rep++)
            {
                // Reps up to 0 warm up connections, allocators and the JIT (tiered recompilation runs for several
                // seconds and competes for the same two cores); they are not recorded.
                var label = rep <= 0 ? $"warm-up {rep + options.Warmup}/{options.Warmup}" : $"rep {rep}/{options.Reps}";
                var chunks = options.Runs("push") ? Rotate(options.ChunkBytes, rep) : [];
                foreach (var chunk in chunks)
                {
                    Progress($"{label}: throughput, chunk {chunk >> 10} KiB");
                    // Alternate which side goes first so drift in machine load does not favour one.
                    ThroughputSample g, t;
                    if (rep % 2 == 0)
                    {
                        g = await throughput.GrpcAsync(rep, grpcByChunk[chunk], chunk, streams: 1);
                        t = await throughput.TcpAsync(rep, g.Bytes);
                    }
                    else
                    {
                        t = await throughput.TcpAsync(rep, throughput.Requests * throughput.BytesPerRequest);
                        g = await throughput.GrpcAsync(rep, grpcByChunk[chunk], chunk, streams: 1);
                    }
                    Record(rep, g, t);
                }
                if (tlsGrpc is not null)
                {
                    Progress($"{label}: throughput, mutual TLS beside plaintext, chunk {defaultChunk >> 10} KiB");
                    // Alternate which goes first so drift in machine load favours neither.
                    var plainFirst = rep % 2 == 0;
                    var plainGrpc = grpcByChunk.GetValueOrDefault(defaultChunk) ?? handoffGrpc;
                    var first = await throughput.GrpcAsync(rep, plainFirst ? plainGrpc : tlsGrpc, defaultChunk, streams: 1, tls: !plainFirst);
                    var second = await throughput.GrpcAsync(rep, plainFirst ? tlsGrpc : plainGrpc, defaultChunk, streams: 1, tls: plainFirst);
                    // Labelled apart from the push part's own plaintext samples, so each row has one sample per repetition.
                    var plain = (plainFirst ? first : second) with { Transport = "grpc-plain" };
                    var secure = plainFirst ? second : first;
                    var t = await throughput.TcpAsync(rep, plain.Bytes);
                    Record(rep, plain, t);
                    Record(rep, secure, t);
                }
                if (options.Runs("push4") && grpcByChunk.ContainsKey(defaultChunk))
                {
                    Progress($"{label}: throughput, chunk {defaultChunk >> 10} KiB, 4 concurrent streams");
                    var g4 = await throughput.GrpcAsync(rep, grpcByChunk[defaultChunk], defaultChunk, streams: 4);
                    var t4 = await throughput.TcpAsync(rep, g4.Bytes);
                    Record(rep, g4, t4);
                }

                if (options.Runs("bare"))
                {
                    Progress($"{label}: bare gRPC ceiling, chunk {defaultChunk >> 10} KiB");
                    var bytes = throughput.Requests * throughput.BytesPerRequest;
                    var up = await ceiling.UpAsync(rep, bytes);
                    var down = await ceiling.DownAsync(rep, bytes);
                    if (rep >= 1)
                    {
                        Ceiling.Add(up);
                        Ceiling.Add(down);
                        Progress($"  bare client stream {up.MbPerS:0} MB/s, bare server stream {down.MbPerS:0} MB/s");
                    }
                }

                if (options.Runs("pull"))
                {
                    Progress($"{label}: throughput, pull, chunk {pullOptions.ChunkBytes >> 10} KiB");
                    var gp = await throughput.PullAsync(rep, pull, pullAddress, pullOptions.ChunkBytes);
                    var tp = await throughput.TcpAsync(rep, gp.Bytes);
                    Record(rep, gp, tp);
                }

                var handoffs = options.Runs("handoff") ? options.PromptLengths.SelectMany(n => GroupSettings.Select(g => (n, g))).ToArray() : [];
                foreach (var (tokens, groups) in Rotate(handoffs, rep))
                {
                    Progress($"{label}: handoff, {tokens} tokens, groups {groups}");
                    var sample = await handoff.RunAsync(rep, prompts[tokens], groups);
                    if (rep >= 1)
                        Handoff.Add(sample);
                }
            }

            throughput.Release();
            await CheckPoolsAsync(receiver, loops.Values);
        }
        finally
        {
            foreach (var c in channelsByChunk.Values)
                c.Dispose();
            handoffChannels.Dispose();
            tlsChannels?.Dispose();
            if (tlsDir is not null)
                Directory.Delete(tlsDir, recursive: true);
            foreach (var loop in loops.Values)
                await loop.DisposeAsync();
        }
    }

    void Record(int rep, ThroughputSample grpc, ThroughputSample tcp)
    {
        if (rep <= 0)
            return;
        Throughput.Add(grpc);
        Throughput.Add(tcp with { Transport = $"tcp/{grpc.Transport}", ChunkBytes = grpc.ChunkBytes, Streams = grpc.Streams });
        Progress($"  {grpc.Transport} {grpc.MbPerS:0} MB/s ({grpc.CpuSecondsPerGb:0.00} CPU s/GB), tcp {tcp.MbPerS:0} MB/s ({tcp.CpuSecondsPerGb:0.00} CPU s/GB)");
    }

    async Task CheckPoolsAsync(ReceiverProcess receiver, IEnumerable<EngineLoop> loops)
    {
        // The loops free asynchronously: give them a moment.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var d = await receiver.PoolsAsync();
            var p = await Task.WhenAll(loops.Select(l => l.InvokeAsync(e => (e.NumFreeBlocks, e.NumTotalBlocks))));
            if (d.Free == d.Total && p.All(x => x.NumFreeBlocks == x.NumTotalBlocks) || attempt == 49)
            {
                Checks.Add($"decode pool {d.Free}/{d.Total} blocks free, {d.BytesImported} bytes imported in total");
                Checks.AddRange(p.Select((x, i) => $"prefill pool {i}: {x.NumFreeBlocks}/{x.NumTotalBlocks} blocks free"));
                if (d.Free != d.Total || p.Any(x => x.NumFreeBlocks != x.NumTotalBlocks))
                    throw new InvalidOperationException("KV blocks were not all returned: " + string.Join("; ", Checks));
                return;
            }
            await Task.Delay(20);
        }
    }

    void RecordSettings(LlmEngine engine, ThroughputPhase throughput, int decodePoolMb)
    {
        var defaults = new GrpcKvOptions();
        Settings["model"] = $"default tiny model, {engine.KvLayout}";
        Settings["engines"] = $"cpu float32, prefix caching off, {options.Threads} libtorch thread(s) per process; prefill engines here, decode engine ({decodePoolMb} MiB pool) in a child process";
        Settings["throughput"] = $"{throughput.Requests} requests x {throughput.BytesPerRequest} B of KV ({ThroughputPrompt}-token prompt, 4 layer groups) per sample, " +
            "exported before the clock starts; timed from the first stream opening to the last CompleteAsync (receiver imported everything); max_tokens 1";
        Settings["raw_tcp"] = "same byte count, 8-byte length + 1 MiB socket writes, receiver reads into a 1 MiB buffer and discards, 1-byte ack ends the clock";
        Settings["grpc_windows"] = $"stream {defaults.StreamWindowBytes} B, connection {defaults.ConnectionWindowBytes} B, max frame {defaults.MaxFrameBytes} B";
        Settings["handoff"] = $"PrefillRole over PushKvTransport (chunk {defaults.ChunkBytes} B), max_tokens 2, ignore_eos, greedy; prompts {string.Join(", ", options.PromptLengths)} tokens; groups {string.Join(", ", GroupSettings)}";
        Settings["reps"] = $"{options.Reps} (+{options.Warmup} warm-up), interleaved, medians";
    }

    static T[] Rotate<T>(T[] items, int by) => items.Length == 0 ? items : [.. items.Skip(Mod(by, items.Length)), .. items.Take(Mod(by, items.Length))];

    static int Mod(int a, int n) => (a % n + n) % n;

    public static void Progress(string line) => Console.Error.WriteLine($"[kvbench] {line}");
}
