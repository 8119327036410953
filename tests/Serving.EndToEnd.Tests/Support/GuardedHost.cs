using Serving.Host;
using Serving.Tools.Shared;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A host that requires an API key, holds at most two requests at once, and serves /metrics on a port of its own too.</summary>
public sealed class GuardedHost : GatewayHost
{
    public override string ApiKey => "sk-test-key";

    public int MetricsPort { get; } = FreePort.Next();

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        KvCacheMb = 64,
        ApiKeys = [ApiKey],
        MaxConcurrentRequests = 2,
        MetricsPort = MetricsPort,
    };
}
