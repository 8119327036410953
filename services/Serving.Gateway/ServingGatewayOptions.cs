namespace Serving.Gateway;

/// <summary>What the gateway serves and how it admits requests.</summary>
public sealed record ServingGatewayOptions(string ModelName, string ModelFolder)
{
    /// <summary>Accepted bearer keys; empty leaves the API open.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>A port of its own for /metrics (scrapers, no key); on the API port /metrics then needs a key like the API.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>What one request may hold (body size, messages, tools, stop strings and ids).</summary>
    public Requests.RequestLimits Limits { get; init; } = new();

    /// <summary>Sequences (prompts × n of every request) held at once before new requests get 429.</summary>
    public int MaxConcurrentRequests { get; init; } = 4096;

    /// <summary>The longest a request may run, queueing included; past it, it ends with a 504 (or an error event mid-stream) and frees what it held. Null: no limit.</summary>
    public TimeSpan? RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Requests parsed, rendered and tokenized at once (CPU work before admission): one per core.</summary>
    public int PrepareConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Requests beyond <see cref="PrepareConcurrency"/> that may read their body or wait for their turn; beyond, 429.
    /// Each holds at most one body, so bodies before admission take at most (concurrency + queue) × the body limit.
    /// </summary>
    public int PrepareQueue { get; init; } = 64;
}
