namespace Serving.Worker.Transfer;

/// <summary>Where a decode worker receives KV: its worker id and, for gRPC, the address of its process's KV server.</summary>
public sealed record KvEndpoint(string WorkerId, string Address);
