using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A gateway and a mixed worker with the hang hook and a 2 s stall limit: a role switch can meet a frozen engine.</summary>
public sealed class FrozenSwitchHost : FreezableHost
{
    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        StallSeconds = 2,
        HangFile = HangFile,
        Planner = false,
    };
}
