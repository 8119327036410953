using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A colocated host (one mixed worker) with layered prefill: prompts advance one of 4 layer groups per step.</summary>
public sealed class LayeredHost : GatewayHost
{
    private protected override HostSettings Settings(int httpPort) =>
        new() { HttpPort = httpPort, Roles = new HashSet<string> { "gateway", "mixed" }, KvCacheMb = 64, PrefillLayerGroups = 4 };
}
