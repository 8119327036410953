using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A gateway and one mixed worker whose KV pool (1 MiB: 128 tokens of the default model) is far smaller than the 4,096-token context.</summary>
public sealed class SmallPoolHost : GatewayHost
{
    public const int PoolTokens = 128;

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        KvCacheMb = 1,
    };
}
