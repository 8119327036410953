using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>One prefill and one decode worker in a cluster that runs chunked prefill; a test switches their roles.</summary>
public sealed class ChunkedSwitchingHost : GatewayHost
{
    public const int ChunkTokens = 32;

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "prefill", "decode" },
        KvCacheMb = 32,
        PrefillChunkTokens = ChunkTokens,
        Planner = false,
    };
}
