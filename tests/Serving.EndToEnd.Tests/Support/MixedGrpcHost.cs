using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>Two mixed workers in one process whose KV moves over gRPC once the planner splits them (no automatic rounds).</summary>
public sealed class MixedGrpcHost : GatewayHost
{
    private protected override HostSettings Settings(int httpPort) =>
        new() { HttpPort = httpPort, Roles = new HashSet<string> { "gateway", "mixed" }, MixedWorkers = 2, Transport = "grpc", KvCacheMb = 64, Planner = false };
}
