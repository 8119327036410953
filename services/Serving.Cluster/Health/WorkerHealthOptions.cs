namespace Serving.Cluster.Health;

/// <summary>When a worker counts as stuck: its engine has work but finished no step for <see cref="StallLimit"/>.</summary>
public sealed record WorkerHealthOptions(TimeSpan StallLimit);
