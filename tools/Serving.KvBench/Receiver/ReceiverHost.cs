using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Engine.Core;
using Serving.Worker.Runtime;
using Serving.Worker.Security;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Pull;
using TorchSharp;

namespace Serving.KvBench.Receiver;

/// <summary>
/// The child process: a decode worker with its KV gRPC server, a raw TCP sink, and a line protocol on stdin/stdout
/// through which the parent reserves blocks and collects decode timestamps.
/// </summary>
internal static class ReceiverHost
{
    public const string WorkerId = "decode-0";

    /// <param name="tlsDir">With it, the KV service also listens over mutual TLS on a second port.</param>
    public static async Task<int> RunAsync(int poolMb, int maxChunk, int threads, string? tlsDir)
    {
        torch.set_num_threads(threads);

        // Receive limits sized for the largest chunk the parent will try; windows stay at their defaults.
        var kvOptions = new GrpcKvOptions { ChunkBytes = Math.Max(new GrpcKvOptions().ChunkBytes, maxChunk) };
        using var tls = tlsDir is null ? null : ClusterTls.Load(tlsDir);
        await using var server = await StandaloneKvServer.StartAsync(kvOptions, app => app.MapGrpcService<BareTransferService>(), tls: tls);
        var address = server.Address;

        var engine = LlmEngine.Create(new EngineOptions
        {
            Device = "cpu", DType = "float32", KvCacheBytes = (long)poolMb << 20, EnablePrefixCaching = false,
        });
        await using var loop = new EngineLoop(WorkerId, engine, NullLogger.Instance);
        var inbox = new KvInbox(WorkerId, loop);
        server.Inboxes.Add(inbox);
        using var sink = TcpSink.Start();

        Console.Out.WriteLine($"ready {address} {sink.Port} {server.TlsAddress ?? "-"}");
        using var channels = new KvChannels(kvOptions);
        var puller = new PullKvTransport(server.Outboxes, channels);
        await new ControlChannel(loop, inbox, puller, Console.In, Console.Out).RunAsync();
        return 0;
    }
}
