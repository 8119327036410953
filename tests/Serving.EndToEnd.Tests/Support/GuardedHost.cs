using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A host that requires an API key and holds at most two requests at once.</summary>
public sealed class GuardedHost : GatewayHost
{
    public override string ApiKey => "sk-test-key";

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        KvCacheMb = 64,
        ApiKeys = [ApiKey],
        MaxConcurrentRequests = 2,
    };
}
