using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Serving.Engine.Core;
using Serving.Worker.Roles;
using Serving.Worker.Runtime;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Local;
using Serving.Worker.Transfer.Pull;
using Serving.Worker.Transfer.Push;
using TorchSharp;

namespace Serving.Worker.Tests;

/// <summary>
/// A prefill worker and a decode worker on the default model in this process, the decode side's KV receiver on a
/// real Kestrel server on loopback, and a single engine for reference outputs.
/// </summary>
public sealed class DisaggregationFixture : IAsyncLifetime
{
    public static readonly EngineOptions Options = new() { Device = "cpu", DType = "float32", KvCacheBytes = 32L << 20 };

    StandaloneKvServer? server;

    public EngineLoop Prefill { get; private set; } = null!;
    public EngineLoop Decode { get; private set; } = null!;
    public KvInboxRegistry Registry { get; private set; } = null!;
    public KvInbox Inbox { get; private set; } = null!;
    public KvEndpoint Endpoint { get; private set; } = null!;
    public KvChannels Channels { get; private set; } = null!;
    public PushKvTransport Grpc { get; private set; } = null!;
    public LocalKvTransport Local { get; private set; } = null!;
    public PullKvTransport Pull { get; private set; } = null!;
    public string ServerAddress { get; private set; } = null!;
    public LlmEngine Reference { get; private set; } = null!;
    public ILogger Logger { get; } = NullLogger.Instance;

    public async Task InitializeAsync()
    {
        // Two engine threads share two cores: one intra-op thread each.
        torch.set_num_threads(1);
        var kvOptions = new GrpcKvOptions();
        server = await StandaloneKvServer.StartAsync(kvOptions);
        var address = server.Address;

        Registry = server.Inboxes;
        Prefill = new EngineLoop("prefill-0", LlmEngine.Create(Options), Logger);
        Decode = new EngineLoop("decode-0", LlmEngine.Create(Options), Logger);
        Inbox = new KvInbox("decode-0", Decode);
        Registry.Add(Inbox);
        Endpoint = new KvEndpoint("decode-0", address);
        Channels = new KvChannels(kvOptions);
        Grpc = new PushKvTransport(Channels);
        Local = new LocalKvTransport(Registry);
        Pull = new PullKvTransport(server.Outboxes, Channels);
        ServerAddress = address;
        Reference = LlmEngine.Create(Options);
    }

    /// <summary>The prefill worker as this process's KV server reaches it (where a pull asks).</summary>
    public KvEndpoint PrefillEndpoint => new("prefill-0", ServerAddress);

    /// <summary>The decode worker receiving over the named transport (the prefill side must send over the same).</summary>
    public DecodeRole DecodeRole(string transport = "grpc", int retries = 2) => DecodeRole(Transport(transport), retries);

    public DecodeRole DecodeRole(IKvTransport transport, int retries = 2) => new(Decode, Inbox, Endpoint, transport, Pipeline(retries), Logger);

    /// <summary>The prefill worker with the named transport: local, grpc (push) or grpc-pull (the decode side pulls from this process's server).</summary>
    public PrefillRole PrefillRole(string transport) => new(Prefill, Transport(transport), PrefillEndpoint);

    public IKvTransport Transport(string name) => name switch
    {
        "local" => Local,
        "grpc" => Grpc,
        "grpc-pull" => Pull,
        _ => throw new ArgumentException(name),
    };

    public static ResiliencePipeline Pipeline(int retries) => new ResiliencePipelineBuilder()
        .AddRetry(new Polly.Retry.RetryStrategyOptions
        {
            MaxRetryAttempts = retries,
            Delay = TimeSpan.FromMilliseconds(10),
            ShouldHandle = new PredicateBuilder().Handle<KvTransferException>(e => e.Retryable),
        })
        .AddTimeout(TimeSpan.FromSeconds(60))
        .Build();

    /// <summary>Waits until both pools have every block back (the loops free asynchronously).</summary>
    public async Task AssertPoolsWholeAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var p = await Prefill.InvokeAsync(e => (e.NumFreeBlocks, e.NumTotalBlocks));
            var d = await Decode.InvokeAsync(e => (e.NumFreeBlocks, e.NumTotalBlocks));
            if (p.NumFreeBlocks == p.NumTotalBlocks && d.NumFreeBlocks == d.NumTotalBlocks)
                return;
            await Task.Delay(20);
        }
        Assert.Fail("KV blocks were not all returned to the pools.");
    }

    public async Task DisposeAsync()
    {
        Channels.Dispose();
        await Prefill.DisposeAsync();
        await Decode.DisposeAsync();
        Reference.Dispose();
        if (server is not null)
            await server.DisposeAsync();
    }
}
