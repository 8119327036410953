namespace Serving.Worker.Transfer;

/// <summary>Tuning for KV over gRPC: chunk size and HTTP/2 flow-control windows sized for bulk transfer.</summary>
public sealed record GrpcKvOptions
{
    /// <summary>
    /// 64 KiB: below .NET's large-object threshold (85,000 bytes), so each received chunk is a cheap short-lived
    /// allocation; 1 MiB chunks measured ~25% slower here (docs/benchmarks.md).
    /// </summary>
    public int ChunkBytes { get; init; } = 64 << 10;
    public int StreamWindowBytes { get; init; } = 16 << 20;
    public int ConnectionWindowBytes { get; init; } = 64 << 20;
    public int MaxFrameBytes { get; init; } = 1 << 20;
    /// <summary>The deadline of every KV call: a transfer that has not finished by then fails (and is retried or recomputed).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// KV bytes one transfer may hold queued in the sending process (computed groups the network has not taken yet);
    /// past it the transfer fails rather than grow without bound behind a slow receiver.
    /// </summary>
    public long MaxQueuedBytes { get; init; } = 1L << 30;

    /// <summary>How long a prefill worker keeps a request's KV for a pull that does not come; then it is dropped.</summary>
    public TimeSpan PullWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest message either side accepts: a chunk plus its framing.</summary>
    public int MaxMessageBytes => ChunkBytes + (64 << 10);
}
