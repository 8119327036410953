using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>The README's default: gateway, one prefill and one decode worker in one process, the API open.</summary>
public sealed class DefaultHost : GatewayHost
{
    LlmEngine? reference;

    /// <summary>Where this host exports its traces and metrics over OTLP/HTTP.</summary>
    public OtlpReceiver Collector { get; private set; } = null!;

    private protected override HostSettings Settings(int httpPort) =>
        new() { HttpPort = httpPort, KvCacheMb = 64, OtlpEndpoint = Collector.Endpoint, OtlpProtocol = "http/protobuf" };

    public override async Task InitializeAsync()
    {
        Collector = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    /// <summary>One engine on the same model, outside the cluster: what a request must produce.</summary>
    public LlmEngine Reference => reference ??= LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 16L << 20 });

    /// <summary>The single engine's greedy completion of <paramref name="prompt"/>: its tokens and text.</summary>
    public (IReadOnlyList<int> Tokens, string Text) Greedy(IReadOnlyList<int> prompt, int maxTokens)
    {
        var tokens = Reference.Generate([prompt], SamplingParams.Greedy(maxTokens))[0];
        return (tokens, Reference.Tokenizer!.Decode(tokens));
    }

    public override async Task DisposeAsync()
    {
        reference?.Dispose();
        await base.DisposeAsync();
        await Collector.DisposeAsync();
    }
}
