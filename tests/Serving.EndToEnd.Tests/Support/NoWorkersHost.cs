using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A gateway whose cluster has no workers at all.</summary>
public sealed class NoWorkersHost : GatewayHost
{
    private protected override HostSettings Settings(int httpPort) => new() { HttpPort = httpPort, Roles = new HashSet<string> { "gateway" } };

    protected override bool WaitForWorkers => false;
}
