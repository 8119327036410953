using Serving.Contracts;
using Serving.Engine.Core;

namespace Serving.Cluster.Workers;

/// <summary>One worker this process hosts: its name, role and engine settings (model, device, KV memory).</summary>
public sealed record WorkerSpec(string Name, WorkerRole Role, EngineOptions Engine);
