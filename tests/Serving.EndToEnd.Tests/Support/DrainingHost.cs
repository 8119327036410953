using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A default host that a test stops while a stream is open (it drains for up to 30 s, the default).</summary>
public sealed class DrainingHost : GatewayHost
{
    private protected override HostSettings Settings(int httpPort) => new() { HttpPort = httpPort, KvCacheMb = 64 };
}
