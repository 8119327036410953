using Serving.Cluster.Abstractions;
using Serving.Worker.Roles;
using Serving.Worker.Runtime;
using Serving.Worker.Transfer;

namespace Serving.Cluster.Workers;

/// <summary>A worker running in this process: its engine loop and the role logic around it.</summary>
public sealed class LocalWorker(string key, WorkerRole role, EngineLoop loop, PrefillRole? prefill, DecodeRole? decode)
{
    public string Key { get; } = key;
    public WorkerRole Role { get; } = role;
    public EngineLoop Loop { get; } = loop;
    public PrefillRole? Prefill { get; } = prefill;
    public DecodeRole? Decode { get; } = decode;
    public KvEndpoint? Endpoint => Decode?.Endpoint;
}
