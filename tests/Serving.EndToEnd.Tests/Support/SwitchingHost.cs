using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>One prefill and one decode worker whose roles a test changes through the planner (no automatic rounds).</summary>
public sealed class SwitchingHost : GatewayHost
{
    private protected override HostSettings Settings(int httpPort) =>
        new() { HttpPort = httpPort, Roles = new HashSet<string> { "gateway", "prefill", "decode" }, KvCacheMb = 64, Planner = false };
}
