using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A colocated host (one mixed worker) with chunked prefill: at most 16 prompt tokens per step.</summary>
public sealed class ChunkedHost : GatewayHost
{
    private protected override HostSettings Settings(int httpPort) =>
        new() { HttpPort = httpPort, Roles = new HashSet<string> { "gateway", "mixed" }, KvCacheMb = 64, PrefillChunkTokens = 16 };
}
