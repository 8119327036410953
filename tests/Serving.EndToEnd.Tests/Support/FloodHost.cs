using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A gateway and one mixed worker that prepare (parse, render, tokenize) two requests at once and let two more wait.</summary>
public sealed class FloodHost : GatewayHost
{
    public const int PrepareConcurrency = 2;
    public const int PrepareQueue = 2;

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        KvCacheMb = 16,
        PrepareConcurrency = PrepareConcurrency,
        PrepareQueue = PrepareQueue,
    };
}
