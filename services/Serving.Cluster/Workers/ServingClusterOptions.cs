using Serving.Engine.Core;

namespace Serving.Cluster.Workers;

/// <summary>What this process contributes to the cluster.</summary>
public sealed record ServingClusterOptions
{
    public IReadOnlyList<WorkerSpec> Workers { get; init; } = [];

    /// <summary>How workers that also decode prefill prompts (each worker's engine follows <see cref="RoleEngineSettings.For"/>).</summary>
    public ClusterEngineSettings Prefill { get; init; } = new();

    /// <summary>Where peers reach this process's KV receiver, e.g. http://10.0.0.5:50051.</summary>
    public string KvAddress { get; init; } = "";

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// A worker whose engine has work but stays inside one loop iteration this long is stuck: it gives up the requests
    /// it serves (they resume elsewhere) and the router sends it nothing until it moves again. Above the longest
    /// step a worker runs (a whole prefill of the longest prompt, unless chunked or layered).
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Requests a worker's engine may have waiting for a batch slot; beyond it the worker refuses new ones
    /// (<see cref="Serving.Contracts.WorkerBusyException"/>) rather than queue without end.
    /// </summary>
    public int MaxWaiting { get; init; } = 1024;

    /// <summary>How long a decode worker waits for KV room for an incoming request before refusing it (busy).</summary>
    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fault injection for tests and soak runs: while this file exists, every engine loop here hangs (see <see cref="Serving.Worker.Runtime.EngineLoop"/>).</summary>
    public string? HangFile { get; init; }

    /// <summary>Retries of a failed KV transfer before the decode worker recomputes the prefill itself.</summary>
    public int TransferRetries { get; init; } = 2;

    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When set, each worker writes a CSV line per engine step here (<c>steps-NAME-PID.csv</c>; see
    /// <see cref="Serving.Worker.Runtime.StepTrace"/>): the data to set serving beside the latency profile.
    /// </summary>
    public string? StepTraceDirectory { get; init; }

    /// <summary>
    /// Makes each worker's engine from its options: the model's, or the same engine around a stand-in model (the
    /// gateway benchmark's fixed-interval clock).
    /// </summary>
    public Func<EngineOptions, LlmEngine> EngineFactory { get; init; } = LlmEngine.Create;
}
